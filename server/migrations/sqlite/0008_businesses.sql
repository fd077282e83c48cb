-- The five businesses as the rules define them (issue 13): what each certificate records that
-- a 变更 changes, its latest 服务质量信誉考核, one open application per certificate and
-- business, materials that follow the form's answers, and each business's result.

-- 从业资格证: 准驾车型 and 服务单位 as recorded; 住址 and 联系电话 are personal data, kept sealed
-- as JSON {"address": …, "phone": …} bound to the certificate id (see src/certificates.rs).
ALTER TABLE certificates ADD COLUMN licence_class TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN employer TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN holder_details BLOB;
-- The latest 考核 recorded on the certificate (YYYY-MM-DD, points, AAA/AA/A/B).
ALTER TABLE certificates ADD COLUMN credit_period_start TEXT;
ALTER TABLE certificates ADD COLUMN credit_period_end TEXT;
ALTER TABLE certificates ADD COLUMN credit_points INTEGER;
ALTER TABLE certificates ADD COLUMN credit_grade TEXT;

-- A case names the certificate it was submitted for, so that one certificate has at most one
-- open application per business. Cases from before keep NULL (their certificate is only in the
-- sealed snapshot) and block nothing; the server fills it in at start-up where it can.
ALTER TABLE cases ADD COLUMN certificate_id TEXT;
CREATE UNIQUE INDEX cases_one_open_per_certificate ON cases (certificate_id, business_code)
    WHERE certificate_id IS NOT NULL AND status IN ('submitted', 'accepted', 'returned');
CREATE INDEX cases_by_certificate ON cases (certificate_id, status);

-- What 办结 produced besides number, expiry and grade: the 考核's period and points, and for
-- 注销 the mark of a cancellation voucher.
ALTER TABLE case_results ADD COLUMN credit_period_start TEXT;
ALTER TABLE case_results ADD COLUMN credit_period_end TEXT;
ALTER TABLE case_results ADD COLUMN credit_points INTEGER;
ALTER TABLE case_results ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1));

-- Materials that apply only with some answers: `MaterialCondition::as_code` in the api crate
-- (`reissue_reason=damaged`, `change=licence_class`); NULL for always.
ALTER TABLE business_materials ADD COLUMN condition TEXT;

-- Drafts saved before the forms were per business do not parse as the new forms: they start
-- again from 须知 (a draft holds no submitted case, only answers not yet sent).
DELETE FROM drafts;

INSERT INTO materials (code, name, hint, kind, min_width, min_height, sample) VALUES
    ('employment_proof', '劳动合同或服务单位证明', '与新服务单位签订的劳动合同(含签字盖章页),或新服务单位出具并加盖公章的证明。',
     'document', 1000, 700, 'samples/document.svg');

UPDATE materials SET name = '遗失声明', hint = '在报刊或网站上刊登的从业资格证遗失声明,拍照或截图上传;没有刊登的可不上传。'
 WHERE code = 'loss_statement';
UPDATE materials SET hint = '拍摄损毁证件的全貌,正反两面四角完整、证号可辨。' WHERE code = 'damaged_certificate';
UPDATE materials SET name = '住址变更证明', hint = '居住证、户口簿变更页或社区出具的居住证明,地址与新住址一致。'
 WHERE code = 'change_proof';

-- 补发: 损毁 needs the damaged certificate; 遗失 may add a 遗失声明.
UPDATE business_materials SET required = 0, condition = 'reissue_reason=lost'
 WHERE business_code = 'reissue' AND material_code = 'loss_statement';
UPDATE business_materials SET required = 1, condition = 'reissue_reason=damaged'
 WHERE business_code = 'reissue' AND material_code = 'damaged_certificate';

-- 变更: the certificate's page always; then what proves each change. No 2-inch photo: a change
-- keeps the certificate.
DELETE FROM business_materials WHERE business_code = 'change';
INSERT INTO business_materials (business_code, material_code, position, required, condition) VALUES
    ('change', 'cert_info_page', 1, 1, NULL),
    ('change', 'change_proof', 2, 1, 'change=address'),
    ('change', 'driving_licence', 3, 1, 'change=licence_class'),
    ('change', 'employment_proof', 4, 1, 'change=employer');

UPDATE businesses SET description = '从业资格证记载的住址、联系电话、准驾车型或服务单位发生变化的,申请变更。' WHERE code = 'change';

UPDATE business_notice_paragraphs SET text = '从业资格证遗失或损毁的,请选择补发原因:损毁的须上传损毁证件的照片;遗失的可上传遗失声明。补发后原证件作废,不得继续使用。'
 WHERE business_code = 'reissue' AND position = 3;
UPDATE business_notice_paragraphs SET text = '本业务适用于从业资格证记载的住址、联系电话、准驾车型或服务单位(出租汽车企业或网约车平台公司)发生变化的驾驶员;姓名以身份证为准,不在此变更。'
 WHERE business_code = 'change' AND position = 1;
UPDATE business_notice_paragraphs SET text = '请勾选变更事项并填写新的内容:住址变更须上传住址证明,准驾车型变更须上传新的机动车驾驶证,服务单位变更须上传劳动合同或服务单位证明。办结后新的内容记入从业资格证。'
 WHERE business_code = 'change' AND position = 2;
UPDATE business_notice_paragraphs SET text = '请选择注销原因。注销后从业资格证即失效,该证不能再办理任何业务;如需再次从业,须重新申请从业资格。'
 WHERE business_code = 'cancellation' AND position = 2;
UPDATE business_notice_paragraphs SET text = '服务质量信誉考核周期为12个月,自从业资格证初次领取的当月起计算。考核以20分为基础分,按考核周期内的违章和投诉扣分、按表彰和奖励加分(最多加10分),考核等级分为AAA、AA、A、B。'
 WHERE business_code = 'credit_assessment' AND position = 1;
-- The numbers follow the server's defaults (renewal_window_days, renewal_deadline_days,
-- renewal_grace_days): a deployment that changes them changes this paragraph too.
UPDATE business_notice_paragraphs SET text = '从业资格证有效期为6年。请在有效期届满前90日内申请换发,最迟应在届满30日前申请;有效期届满后180日内仍可申请(逾期换发),超过180日未换证的,从业资格证依法注销,如需继续从业须重新申请从业资格。'
 WHERE business_code = 'renewal' AND position = 1;

-- The violation page is required for 换发 and optional for 考核: the hint must not say a blank
-- page is always needed.
UPDATE materials SET hint = '拍摄从业资格证的违章记录页,四角完整,文字清晰;没有违章记录的,拍摄空白的记录页。'
 WHERE code = 'cert_violation_page';
