-- WeChat web authorization (公众号网页授权, snsapi_userinfo), see src/wechat.rs.

-- One WeChat per driver. The openid is never stored in plain text: sealed (AES-256-GCM,
-- context `user:{user_id}:wechat_openid`) for the messages that must name it, and its HMAC
-- (`wechat-openid`) to find the driver at sign-in.
CREATE TABLE wechat_accounts (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    openid_sealed BLOB NOT NULL,
    openid_key    BLOB NOT NULL UNIQUE,
    -- The profile WeChat gave at the last sign-in: shown as the signed-in identity.
    nickname      TEXT NOT NULL,
    -- Our own re-encoded copy (JPEG, no metadata), sealed (context `user:{user_id}:wechat_avatar`);
    -- NULL when WeChat gave none or it could not be fetched.
    avatar        BLOB,
    -- 1 male, 2 female, 0 unknown, as WeChat says; province and city as WeChat names them.
    gender        INTEGER NOT NULL,
    province      TEXT NOT NULL,
    city          TEXT NOT NULL,
    bound_at      INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The `state` of an authorization in flight: its hash, kept until the browser comes back with
-- it (single use) or 10 minutes pass. The browser holds the state in an HttpOnly cookie.
CREATE TABLE wechat_states (
    state_hash BLOB PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- A WeChat identity authorized in a browser but bound to no driver yet: the driver binds a phone
-- number (SMS code) within 15 minutes. Keyed by the hash of an HttpOnly cookie's token; the
-- openid and avatar sealed with context `wechat_pending:{token_hash hex}`.
CREATE TABLE wechat_pending (
    token_hash    BLOB PRIMARY KEY,
    openid_sealed BLOB NOT NULL,
    openid_key    BLOB NOT NULL,
    nickname      TEXT NOT NULL,
    avatar        BLOB,
    gender        INTEGER NOT NULL,
    province      TEXT NOT NULL,
    city          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
