-- Issue 15: Chinese text takes full-width punctuation (GB/T 15834-2011): ， ： ； （ ） instead
-- of , : ; ( ), and a file size reads 10 MB. The texts 0001–0010 seeded are published migrations
-- (sqlx checks their checksums), so they are corrected here. Each UPDATE changes a text only
-- while it is still the one seeded: a text an authority has changed since is left as it is.
-- The guards hold the old half-width text on purpose: `punct:keep` keeps the punctuation
-- conversion script of issue 15 off those lines.

-- materials
UPDATE materials
   SET hint = '白色或浅色纯色背景，正面免冠，五官清晰，不戴墨镜，近6个月内拍摄。'
 WHERE code = 'photo_2inch'
   AND hint = '白色或浅色纯色背景,正面免冠,五官清晰,不戴墨镜,近6个月内拍摄。'; -- punct:keep
UPDATE materials
   SET hint = '把驾驶证正页和副页并排放好，拍在同一张照片里，四角完整，文字清晰，无反光。'
 WHERE code = 'driving_licence'
   AND hint = '把驾驶证正页和副页并排放好,拍在同一张照片里,四角完整,文字清晰,无反光。'; -- punct:keep
UPDATE materials
   SET hint = '拍摄从业资格证印有姓名、证号和照片的一页，四角完整，文字清晰。'
 WHERE code = 'cert_info_page'
   AND hint = '拍摄从业资格证印有姓名、证号和照片的一页,四角完整,文字清晰。'; -- punct:keep
UPDATE materials
   SET hint = '拍摄从业资格证的违章记录页，四角完整，文字清晰；没有违章记录的，拍摄空白的记录页。'
 WHERE code = 'cert_violation_page'
   AND hint = '拍摄从业资格证的违章记录页,四角完整,文字清晰;没有违章记录的,拍摄空白的记录页。'; -- punct:keep
UPDATE materials
   SET hint = '在报刊或网站上刊登的从业资格证遗失声明，拍照或截图上传；没有刊登的可不上传。'
 WHERE code = 'loss_statement'
   AND hint = '在报刊或网站上刊登的从业资格证遗失声明,拍照或截图上传;没有刊登的可不上传。'; -- punct:keep
UPDATE materials
   SET hint = '拍摄损毁证件的全貌，正反两面四角完整、证号可辨。'
 WHERE code = 'damaged_certificate'
   AND hint = '拍摄损毁证件的全貌,正反两面四角完整、证号可辨。'; -- punct:keep
UPDATE materials
   SET hint = '居住证、户口簿变更页或社区出具的居住证明，地址与新住址一致。'
 WHERE code = 'change_proof'
   AND hint = '居住证、户口簿变更页或社区出具的居住证明,地址与新住址一致。'; -- punct:keep
UPDATE materials
   SET hint = '写明申请注销的原因，本人签字后拍照上传。'
 WHERE code = 'cancellation_statement'
   AND hint = '写明申请注销的原因,本人签字后拍照上传。'; -- punct:keep
UPDATE materials
   SET hint = '由所在出租汽车企业或网约车平台公司出具并加盖公章，包含考核周期内的服务情况。'
 WHERE code = 'enterprise_service_record'
   AND hint = '由所在出租汽车企业或网约车平台公司出具并加盖公章,包含考核周期内的服务情况。'; -- punct:keep
UPDATE materials
   SET hint = '与新服务单位签订的劳动合同（含签字盖章页），或新服务单位出具并加盖公章的证明。'
 WHERE code = 'employment_proof'
   AND hint = '与新服务单位签订的劳动合同(含签字盖章页),或新服务单位出具并加盖公章的证明。'; -- punct:keep

-- businesses
UPDATE businesses
   SET description = '从业资格证遗失或损毁的，申请补发新证。'
 WHERE code = 'reissue'
   AND description = '从业资格证遗失或损毁的,申请补发新证。'; -- punct:keep
UPDATE businesses
   SET description = '从业资格证有效期即将届满的，申请换发新证。'
 WHERE code = 'renewal'
   AND description = '从业资格证有效期即将届满的,申请换发新证。'; -- punct:keep
UPDATE businesses
   SET description = '从业资格证记载的住址、联系电话、准驾车型或服务单位发生变化的，申请变更。'
 WHERE code = 'change'
   AND description = '从业资格证记载的住址、联系电话、准驾车型或服务单位发生变化的,申请变更。'; -- punct:keep
UPDATE businesses
   SET description = '不再从事出租汽车客运服务的，申请注销从业资格证。'
 WHERE code = 'cancellation'
   AND description = '不再从事出租汽车客运服务的,申请注销从业资格证。'; -- punct:keep

-- business_notice_paragraphs
UPDATE business_notice_paragraphs
   SET text = '申请人应当为从业资格证持证人本人，并已完成手机号登录和实名认证。'
 WHERE business_code = 'reissue' AND position = 2
   AND text = '申请人应当为从业资格证持证人本人,并已完成手机号登录和实名认证。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '从业资格证遗失或损毁的，请选择补发原因：损毁的须上传损毁证件的照片；遗失的可上传遗失声明。补发后原证件作废，不得继续使用。'
 WHERE business_code = 'reissue' AND position = 3
   AND text = '从业资格证遗失或损毁的,请选择补发原因:损毁的须上传损毁证件的照片;遗失的可上传遗失声明。补发后原证件作废,不得继续使用。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请按页面提示上传材料，格式为png、jpg，单张不超过10 MB，并确保电子影像清晰可见。'
 WHERE business_code = 'reissue' AND position = 4
   AND text = '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '提交后，业务办理人员将在2个工作日内受理，并在受理后3个工作日内反馈办理结果，您可在“我的办件”中随时查看进度。'
 WHERE business_code = 'reissue' AND position = 5
   AND text = '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '从业资格证有效期为6年。请在有效期届满前90日内申请换发，最迟应在届满30日前申请；有效期届满后180日内仍可申请（逾期换发），超过180日未换证的，从业资格证依法注销，如需继续从业须重新申请从业资格。'
 WHERE business_code = 'renewal' AND position = 1
   AND text = '从业资格证有效期为6年。请在有效期届满前90日内申请换发,最迟应在届满30日前申请;有效期届满后180日内仍可申请(逾期换发),超过180日未换证的,从业资格证依法注销,如需继续从业须重新申请从业资格。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请确认本人道路运输从业资格证在有效期内且信息未发生变化；信息已变化的，请办理“从业资格证变更”。'
 WHERE business_code = 'renewal' AND position = 2
   AND text = '请确认本人道路运输从业资格证在有效期内且信息未发生变化;信息已变化的,请办理“从业资格证变更”。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '换发需上传：近期二寸正面免冠彩色证件照、机动车驾驶证、从业资格证个人信息页、从业资格证违章记录页。'
 WHERE business_code = 'renewal' AND position = 3
   AND text = '换发需上传:近期二寸正面免冠彩色证件照、机动车驾驶证、从业资格证个人信息页、从业资格证违章记录页。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请按页面提示上传材料，格式为png、jpg，单张不超过10 MB，并确保电子影像清晰可见。'
 WHERE business_code = 'renewal' AND position = 4
   AND text = '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '提交后，业务办理人员将在2个工作日内受理，并在受理后3个工作日内反馈办理结果，您可在“我的办件”中随时查看进度。'
 WHERE business_code = 'renewal' AND position = 6
   AND text = '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '本业务适用于从业资格证记载的住址、联系电话、准驾车型或服务单位（出租汽车企业或网约车平台公司）发生变化的驾驶员；姓名以身份证为准，不在此变更。'
 WHERE business_code = 'change' AND position = 1
   AND text = '本业务适用于从业资格证记载的住址、联系电话、准驾车型或服务单位(出租汽车企业或网约车平台公司)发生变化的驾驶员;姓名以身份证为准,不在此变更。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请勾选变更事项并填写新的内容：住址变更须上传住址证明，准驾车型变更须上传新的机动车驾驶证，服务单位变更须上传劳动合同或服务单位证明。办结后新的内容记入从业资格证。'
 WHERE business_code = 'change' AND position = 2
   AND text = '请勾选变更事项并填写新的内容:住址变更须上传住址证明,准驾车型变更须上传新的机动车驾驶证,服务单位变更须上传劳动合同或服务单位证明。办结后新的内容记入从业资格证。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请按页面提示上传材料，格式为png、jpg，单张不超过10 MB，并确保电子影像清晰可见。'
 WHERE business_code = 'change' AND position = 3
   AND text = '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '提交后，业务办理人员将在2个工作日内受理，并在受理后3个工作日内反馈办理结果，您可在“我的办件”中随时查看进度。'
 WHERE business_code = 'change' AND position = 4
   AND text = '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请选择注销原因。注销后从业资格证即失效，该证不能再办理任何业务；如需再次从业，须重新申请从业资格。'
 WHERE business_code = 'cancellation' AND position = 2
   AND text = '请选择注销原因。注销后从业资格证即失效,该证不能再办理任何业务;如需再次从业,须重新申请从业资格。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请按页面提示上传材料，格式为png、jpg，单张不超过10 MB，并确保电子影像清晰可见。'
 WHERE business_code = 'cancellation' AND position = 3
   AND text = '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '提交后，业务办理人员将在2个工作日内受理，并在受理后3个工作日内反馈办理结果，您可在“我的办件”中随时查看进度。'
 WHERE business_code = 'cancellation' AND position = 4
   AND text = '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '服务质量信誉考核周期为12个月，自从业资格证初次领取的当月起计算。考核以20分为基础分，按考核周期内的违章和投诉扣分、按表彰和奖励加分（最多加10分），考核等级分为AAA、AA、A、B。'
 WHERE business_code = 'credit_assessment' AND position = 1
   AND text = '服务质量信誉考核周期为12个月,自从业资格证初次领取的当月起计算。考核以20分为基础分,按考核周期内的违章和投诉扣分、按表彰和奖励加分(最多加10分),考核等级分为AAA、AA、A、B。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请上传所在企业出具的考核周期内服务情况证明；有违章记录的，请一并上传违章记录页。'
 WHERE business_code = 'credit_assessment' AND position = 2
   AND text = '请上传所在企业出具的考核周期内服务情况证明;有违章记录的,请一并上传违章记录页。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '请按页面提示上传材料，格式为png、jpg，单张不超过10 MB，并确保电子影像清晰可见。'
 WHERE business_code = 'credit_assessment' AND position = 3
   AND text = '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'; -- punct:keep
UPDATE business_notice_paragraphs
   SET text = '提交后，业务办理人员将在2个工作日内受理，并在受理后3个工作日内反馈考核结果，结果凭证可在“我的办件”中下载。'
 WHERE business_code = 'credit_assessment' AND position = 4
   AND text = '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈考核结果,结果凭证可在“我的办件”中下载。'; -- punct:keep

-- service_halls
UPDATE service_halls
   SET name = '呼和浩特市道路运输服务大厅（新城区）'
 WHERE id = 'hall_hhht_xincheng'
   AND name = '呼和浩特市道路运输服务大厅(新城区)'; -- punct:keep
UPDATE service_halls
   SET hours = '周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）'
 WHERE id = 'hall_hhht_xincheng'
   AND hours = '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)'; -- punct:keep
UPDATE service_halls
   SET name = '呼和浩特市道路运输服务大厅（赛罕区）'
 WHERE id = 'hall_hhht_saihan'
   AND name = '呼和浩特市道路运输服务大厅(赛罕区)'; -- punct:keep
UPDATE service_halls
   SET hours = '周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）'
 WHERE id = 'hall_hhht_saihan'
   AND hours = '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)'; -- punct:keep
UPDATE service_halls
   SET hours = '周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）'
 WHERE id = 'hall_baotou'
   AND hours = '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)'; -- punct:keep
UPDATE service_halls
   SET hours = '周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）'
 WHERE id = 'hall_ordos'
   AND hours = '周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)'; -- punct:keep

-- certificates: the demo register's invented company (server/src/certificates.rs)
UPDATE certificates
   SET employer = '示例网约车平台（呼和浩特）有限公司'
 WHERE employer = '示例网约车平台(呼和浩特)有限公司'; -- punct:keep
