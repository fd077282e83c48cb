//! The server's black-box tests, in one binary so that they link once: each test spawns the
//! real server in-process on port 0 with a fresh database and talks HTTP to it.

mod common;

mod auth;
mod authorization;
mod backup;
mod basics;
mod cases;
mod errors;
mod messages;
mod number_login;
mod realname;
mod replicas;
mod staff;
mod staff_accounts;
mod staff_search;
mod storage;
mod uploads;
mod wechat;
mod wizard;
