//! The runtime configuration, `config.json` beside `index.html`: one build serves any backend.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What `config.json` says, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// The API base as written: absolute (`https://api.example.cn/api/v1`), root-relative
    /// (`/api/v1`, the default) or relative to the app's folder (`api/v1`).
    pub api_base: String,
    /// The name in the header and the page titles.
    pub app_name: String,
    /// Switches for features that a deployment may turn off.
    pub features: BTreeMap<String, bool>,
    /// The long side, in pixels, photos are shrunk to on the phone before upload.
    pub photo_max_side: u32,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default = "default_api_base")]
    api_base: String,
    #[serde(default = "default_app_name")]
    app_name: String,
    #[serde(default)]
    features: BTreeMap<String, bool>,
    #[serde(default = "default_photo_max_side")]
    photo_max_side: u32,
}

fn default_photo_max_side() -> u32 {
    2048
}

fn default_api_base() -> String {
    taxicert_api::API_PREFIX.into()
}

fn default_app_name() -> String {
    "出租汽车驾驶员从业资格证网上办理".into()
}

/// Why the app could not start; shown on the configuration error page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The file could not be fetched at all.
    Unreachable,
    /// The server answered with this HTTP status.
    Status(u16),
    /// The file is not the JSON we expect; the detail says where.
    Invalid(String),
}

impl ConfigError {
    /// One sentence for the user, saying what to do.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Unreachable => {
                "无法下载应用配置文件 config.json，请检查手机网络后点击“重新加载”。".into()
            }
            ConfigError::Status(status) => format!(
                "应用配置文件 config.json 无法读取（HTTP {status}）。请稍后重新加载；如仍无法使用，请联系当地道路运输服务窗口。"
            ),
            ConfigError::Invalid(detail) => format!(
                "应用配置文件 config.json 格式不正确：{detail}。请联系网站管理员修正后重新加载。"
            ),
        }
    }
}

impl AppConfig {
    pub fn parse(text: &str) -> Result<AppConfig, ConfigError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            ConfigError::Invalid(format!("第 {} 行第 {} 列附近有误（{e}）", e.line(), e.column()))
        })?;
        if !value.is_object() {
            return Err(ConfigError::Invalid("内容应为一个 JSON 对象 {…}".into()));
        }
        let raw: RawConfig =
            serde_json::from_value(value).map_err(|e| ConfigError::Invalid(format!("字段类型有误（{e}）")))?;
        let api_base = raw.api_base.trim().to_owned();
        if api_base.is_empty() {
            return Err(ConfigError::Invalid("api_base 不能为空".into()));
        }
        if api_base.contains('?') || api_base.contains('#') {
            return Err(ConfigError::Invalid("api_base 不能包含 ? 或 #".into()));
        }
        let app_name = raw.app_name.trim().to_owned();
        if app_name.is_empty() {
            return Err(ConfigError::Invalid("app_name 不能为空".into()));
        }
        if !(256..=8192).contains(&raw.photo_max_side) {
            return Err(ConfigError::Invalid("photo_max_side 应为 256 至 8192 之间的像素数".into()));
        }
        Ok(AppConfig {
            api_base: api_base.trim_end_matches('/').to_owned(),
            app_name,
            features: raw.features,
            photo_max_side: raw.photo_max_side,
        })
    }

    /// Whether a feature is on; a feature the file does not name is on.
    pub fn feature(&self, name: &str) -> bool {
        self.features.get(name).copied().unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_object_means_the_same_origin_api() {
        let config = AppConfig::parse("{}").unwrap();
        assert_eq!(config.api_base, "/api/v1");
        assert_eq!(config.photo_max_side, 2048);
        assert_eq!(config.app_name, "出租汽车驾驶员从业资格证网上办理");
        assert!(config.feature("anything"));
    }

    #[test]
    fn the_shipped_config_json_is_valid() {
        let config = AppConfig::parse(include_str!("../public/config.json")).unwrap();
        assert_eq!(config.api_base, "/api/v1");
    }

    #[test]
    fn a_remote_api_keeps_its_origin_and_loses_a_trailing_slash() {
        let config = AppConfig::parse(r#"{"api_base": "https://api.example.cn/taxi/v1/", "features": {"vouchers": false}}"#).unwrap();
        assert_eq!(config.api_base, "https://api.example.cn/taxi/v1");
        assert!(!config.feature("vouchers"));
    }

    #[test]
    fn broken_json_says_where() {
        let err = AppConfig::parse("{\n  \"api_base\": \"/api/v1\",\n}").unwrap_err();
        let ConfigError::Invalid(detail) = &err else { panic!("{err:?}") };
        assert!(detail.contains("第 3 行"), "{detail}");
        assert!(err.message().contains("config.json"));
    }

    #[test]
    fn wrong_types_and_empty_values_are_refused() {
        assert!(matches!(AppConfig::parse(r#"{"api_base": 5}"#), Err(ConfigError::Invalid(_))));
        assert!(matches!(AppConfig::parse(r#"{"api_base": "  "}"#), Err(ConfigError::Invalid(_))));
        assert!(matches!(AppConfig::parse(r#"{"app_name": ""}"#), Err(ConfigError::Invalid(_))));
        assert!(matches!(AppConfig::parse(r#"{"api_base": "/api?x=1"}"#), Err(ConfigError::Invalid(_))));
        assert!(matches!(AppConfig::parse("[]"), Err(ConfigError::Invalid(_))));
        assert!(matches!(AppConfig::parse(r#"{"photo_max_side": 100}"#), Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn every_error_tells_the_user_what_to_do() {
        for err in [ConfigError::Unreachable, ConfigError::Status(404), ConfigError::Invalid("x".into())] {
            let message = err.message();
            assert!(message.contains("重新加载") || message.contains("联系"), "{message}");
        }
    }
}
