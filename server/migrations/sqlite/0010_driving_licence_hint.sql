-- 机动车驾驶证 has one photo slot: its hint said 拍摄驾驶证正页和副页, which read as two photos.
-- It now says to lay both pages side by side in one photo. A hint an authority changed is left.
UPDATE materials
   SET hint = '把驾驶证正页和副页并排放好,拍在同一张照片里,四角完整,文字清晰,无反光。'
 WHERE code = 'driving_licence' AND hint = '拍摄驾驶证正页和副页,四角完整,文字清晰,无反光。';
