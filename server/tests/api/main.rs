//! The server's black-box tests, in one binary so that they link once: each test spawns the
//! real server in-process on port 0 with a fresh database and talks HTTP to it.

mod common;

mod auth;
mod authorization;
mod backup;
mod basics;
mod cases;
mod realname;
mod replicas;
mod staff;
mod uploads;
mod wizard;
