-- The business catalogue: the five businesses of the taxi driver's certificate, their
-- notices and the materials each asks for. It is data, so that a transport authority can
-- change a notice or a material without a new build of the app.

CREATE TABLE materials (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hint TEXT NOT NULL
);

CREATE TABLE businesses (
    code        TEXT PRIMARY KEY,
    position    INTEGER NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE business_notice_paragraphs (
    business_code TEXT NOT NULL REFERENCES businesses (code) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (business_code, position)
);

CREATE TABLE business_materials (
    business_code TEXT NOT NULL REFERENCES businesses (code) ON DELETE CASCADE,
    material_code TEXT NOT NULL REFERENCES materials (code),
    position      INTEGER NOT NULL,
    required      INTEGER NOT NULL CHECK (required IN (0, 1)),
    PRIMARY KEY (business_code, material_code),
    UNIQUE (business_code, position)
);

INSERT INTO materials (code, name, hint) VALUES
    ('photo_2inch', '近期二寸正面免冠彩色证件照', '白色或浅色纯色背景,正面免冠,五官清晰,不戴墨镜,近6个月内拍摄。'),
    ('driving_licence', '机动车驾驶证', '拍摄驾驶证正页和副页,四角完整,文字清晰,无反光。'),
    ('cert_info_page', '从业资格证个人信息页', '拍摄从业资格证印有姓名、证号和照片的一页,四角完整,文字清晰。'),
    ('cert_violation_page', '从业资格证违章记录页', '拍摄从业资格证的违章记录页;没有记录的空白页也需上传。'),
    ('loss_statement', '从业资格证遗失或损毁情况说明', '写明遗失或损毁的时间、地点和经过,本人签字后拍照上传。'),
    ('damaged_certificate', '损毁的从业资格证', '证件损毁的,拍摄损毁证件的全貌;遗失的无需上传。'),
    ('change_proof', '信息变更证明材料', '如户口簿变更页、居住证或有关部门出具的证明,与变更事项一致。'),
    ('cancellation_statement', '注销申请说明', '写明申请注销的原因,本人签字后拍照上传。'),
    ('enterprise_service_record', '所在企业出具的服务质量信誉考核情况证明', '由所在出租汽车企业或网约车平台公司出具并加盖公章,包含考核周期内的服务情况。');

INSERT INTO businesses (code, position, name, description) VALUES
    ('reissue', 1, '从业资格证补发', '从业资格证遗失或损毁的,申请补发新证。'),
    ('renewal', 2, '从业资格证换发', '从业资格证有效期即将届满的,申请换发新证。'),
    ('change', 3, '从业资格证变更', '姓名以外的个人信息(如住址、准驾车型)发生变化的,申请变更。'),
    ('cancellation', 4, '从业资格证注销', '不再从事出租汽车客运服务的,申请注销从业资格证。'),
    ('credit_assessment', 5, '服务质量信誉考核', '按考核周期申请出租汽车驾驶员服务质量信誉考核并查看结果。');

INSERT INTO business_notice_paragraphs (business_code, position, text) VALUES
    ('reissue', 1, '本业务适用于巡游出租汽车驾驶员和网络预约出租汽车驾驶员从业资格证遗失或损毁后的补发。'),
    ('reissue', 2, '申请人应当为从业资格证持证人本人,并已完成手机号登录和实名认证。'),
    ('reissue', 3, '从业资格证在有效期内且未被暂扣、吊销或注销的,方可申请补发;补发后原证件作废,不得继续使用。'),
    ('reissue', 4, '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'),
    ('reissue', 5, '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'),
    ('renewal', 1, '本业务适用于巡游出租汽车驾驶员和网络预约出租汽车驾驶员从业资格证有效期届满前的换发。'),
    ('renewal', 2, '请确认本人道路运输从业资格证在有效期内且信息未发生变化;信息已变化的,请办理“从业资格证变更”。'),
    ('renewal', 3, '换发需上传:近期二寸正面免冠彩色证件照、机动车驾驶证、从业资格证个人信息页、从业资格证违章记录页。'),
    ('renewal', 4, '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'),
    ('renewal', 5, '证件领取方式可选择到服务大厅自取或邮寄。'),
    ('renewal', 6, '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'),
    ('change', 1, '本业务适用于从业资格证记载的住址、准驾车型等信息发生变化的驾驶员;姓名以身份证为准,不在此变更。'),
    ('change', 2, '请如实填写变更事项并上传与变更事项一致的证明材料。'),
    ('change', 3, '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'),
    ('change', 4, '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'),
    ('cancellation', 1, '本业务适用于不再从事出租汽车客运服务、申请注销从业资格证的驾驶员。'),
    ('cancellation', 2, '注销后从业资格证即失效,如需再次从业,须重新申请从业资格。'),
    ('cancellation', 3, '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'),
    ('cancellation', 4, '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈办理结果,您可在“我的办件”中随时查看进度。'),
    ('credit_assessment', 1, '出租汽车驾驶员服务质量信誉考核按考核周期进行,考核结果记入驾驶员服务质量信誉档案。'),
    ('credit_assessment', 2, '请上传所在企业出具的考核周期内服务情况证明;有违章记录的,请一并上传违章记录页。'),
    ('credit_assessment', 3, '请按页面提示上传材料,格式为png、jpg,单张不超过10M,并确保电子影像清晰可见。'),
    ('credit_assessment', 4, '提交后,业务办理人员将在2个工作日内受理,并在受理后3个工作日内反馈考核结果,结果凭证可在“我的办件”中下载。');

INSERT INTO business_materials (business_code, material_code, position, required) VALUES
    ('reissue', 'photo_2inch', 1, 1),
    ('reissue', 'driving_licence', 2, 1),
    ('reissue', 'loss_statement', 3, 1),
    ('reissue', 'damaged_certificate', 4, 0),
    ('renewal', 'photo_2inch', 1, 1),
    ('renewal', 'driving_licence', 2, 1),
    ('renewal', 'cert_info_page', 3, 1),
    ('renewal', 'cert_violation_page', 4, 1),
    ('change', 'photo_2inch', 1, 1),
    ('change', 'driving_licence', 2, 1),
    ('change', 'cert_info_page', 3, 1),
    ('change', 'change_proof', 4, 1),
    ('cancellation', 'cert_info_page', 1, 1),
    ('cancellation', 'cancellation_statement', 2, 1),
    ('credit_assessment', 'cert_info_page', 1, 1),
    ('credit_assessment', 'enterprise_service_record', 2, 1),
    ('credit_assessment', 'cert_violation_page', 3, 0);
