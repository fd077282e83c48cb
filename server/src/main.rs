//! `taxicert-server [serve] [--config FILE]` runs the reference backend;
//! `taxicert-server openapi` prints the contract; `taxicert-server csp [DIST]` prints the
//! Content-Security-Policy a CDN must send with the built `index.html`;
//! `taxicert-server staff …` keeps the staff accounts (there is no sign-up page);
//! `taxicert-server photo-check …` says what the phone's photo check makes of files;
//! `taxicert-server backup FILE` copies the SQLite database while the server runs.

use std::{io::BufRead, path::PathBuf, process::ExitCode};

use taxicert_api::StaffRole;
use taxicert_server::{config::LogFormat, photo_check, staff, Config};

fn usage() -> ExitCode {
    eprintln!(
        "usage: taxicert-server [serve] [--config FILE] | openapi | csp [DIST]
       taxicert-server staff add USERNAME --name 显示名 [--role clerk|viewer|admin] [--config FILE]
       taxicert-server staff role USERNAME --role clerk|viewer|admin [--config FILE]
       taxicert-server staff passwd|unlock|disable USERNAME [--config FILE]
       taxicert-server staff list [--config FILE]
       taxicert-server photo-check [--kind document|portrait|id-card] FILE...
       taxicert-server backup FILE [--config FILE]

  staff add and staff passwd read the password (at least 12 characters) from
  TAXICERT_STAFF_PASSWORD if it is set, else one line from standard input.
  photo-check runs the phone's photo check (document: the driving licence's rules, the
  default; portrait: the 2-inch photo's; id-card: a side of the ID card) and prints one JSON
  line per file: {{\"file\", \"verdict\": \"ok\"|\"warn\"|\"refuse\", \"code\", \"message\",
  \"width\", \"height\", \"warnings\"}}. It exits with 1 if a file cannot be read.
  backup writes a consistent copy of the SQLite database to FILE (which must not exist) while
  the server runs; to restore, stop the server and put the copy in the database's place.
  A PostgreSQL database is backed up with pg_dump (see the README)."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("openapi") => {
            print!("{}", taxicert_server::openapi_yaml());
            ExitCode::SUCCESS
        }
        Some("csp") => {
            let dist = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("dist"));
            let shell = taxicert_server::web::Shell::load(&dist, "/", &[]);
            println!("{}", shell.csp);
            ExitCode::SUCCESS
        }
        Some("staff") => staff_command(&args[1..]),
        Some("photo-check") => photo_check_command(&args[1..]),
        Some("backup") => backup_command(&args[1..]),
        None | Some("serve") | Some("--config") => {
            let rest = if args.first().map(String::as_str) == Some("serve") { &args[1..] } else { &args[..] };
            let file = match rest {
                [] => std::env::var_os("TAXICERT_CONFIG").map(PathBuf::from),
                [flag, path] if flag == "--config" => Some(PathBuf::from(path)),
                _ => return usage(),
            };
            serve(file)
        }
        Some(_) => usage(),
    }
}

fn serve(file: Option<PathBuf>) -> ExitCode {
    let config = match Config::load(file.as_deref(), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("taxicert-server: {e}");
            return ExitCode::from(2);
        }
    };
    init_logs(config.log_format);
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    runtime.block_on(async move {
        let base = config.base_path.clone();
        match taxicert_server::start(config, shutdown_signal()).await {
            Ok(running) => {
                // The one line on stdout: `make run` and the test harness read the address from it.
                println!("taxicert listening on http://{}{}", running.addr, base);
                tracing::info!(addr = %running.addr, "listening");
                match running.task.await {
                    Ok(Ok(())) => {
                        tracing::info!("stopped");
                        ExitCode::SUCCESS
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "server failed");
                        ExitCode::FAILURE
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "server task failed");
                        ExitCode::FAILURE
                    }
                }
            }
            Err(e) => {
                eprintln!("taxicert-server: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// `backup FILE [--config FILE]`: SQLite's `VACUUM INTO`, a consistent copy made while the
/// server goes on serving.
fn backup_command(args: &[String]) -> ExitCode {
    let (target, file) = match args {
        [target] => (PathBuf::from(target), std::env::var_os("TAXICERT_CONFIG").map(PathBuf::from)),
        [target, flag, path] if flag == "--config" => (PathBuf::from(target), Some(PathBuf::from(path))),
        _ => return usage(),
    };
    let config = match Config::load(file.as_deref(), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("taxicert-server: {e}");
            return ExitCode::from(2);
        }
    };
    if config.database.sqlite_path().is_none() {
        eprintln!("taxicert-server: 数据库是 PostgreSQL，请用 pg_dump 备份（见 README）。");
        return ExitCode::from(2);
    }
    if target.exists() {
        eprintln!("taxicert-server: {} 已存在；备份不会覆盖已有的文件，请换一个文件名。", target.display());
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    runtime.block_on(async move {
        let done = async {
            let db = taxicert_server::db::open(&config.database).await?;
            sqlx::query("VACUUM INTO $1").bind(target.display().to_string()).execute(&db).await?;
            db.close().await;
            Ok::<_, sqlx::Error>(())
        };
        match done.await {
            Ok(()) => {
                println!("已备份到 {}。", target.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("taxicert-server: 备份失败：{e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// What `staff …` was asked to do.
enum StaffCommand {
    Add { username: String, display_name: String, role: StaffRole },
    Role { username: String, role: StaffRole },
    Passwd { username: String },
    Unlock { username: String },
    Disable { username: String },
    List,
}

/// `staff SUBCOMMAND [USERNAME] [--name N] [--role R] [--config FILE]`, options in any order.
fn parse_staff(args: &[String]) -> Option<(StaffCommand, Option<PathBuf>)> {
    let (subcommand, rest) = args.split_first()?;
    let (mut positional, mut name, mut role, mut config) = (Vec::new(), None, None, None);
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--name" => name = Some(rest.next()?.clone()),
            "--role" => role = Some(staff::accounts::parse_role(rest.next()?)?),
            "--config" => config = Some(PathBuf::from(rest.next()?)),
            flag if flag.starts_with("--") => return None,
            _ => positional.push(arg.clone()),
        }
    }
    let config = config.or_else(|| std::env::var_os("TAXICERT_CONFIG").map(PathBuf::from));
    // --name belongs to `add` only, --role to `add` and `role`.
    if (name.is_some() && subcommand != "add") || (role.is_some() && !matches!(subcommand.as_str(), "add" | "role")) {
        return None;
    }
    let command = match (subcommand.as_str(), positional.as_slice()) {
        ("add", [username]) => StaffCommand::Add {
            username: username.clone(),
            display_name: name?,
            role: role.unwrap_or(StaffRole::Clerk),
        },
        ("role", [username]) => StaffCommand::Role { username: username.clone(), role: role? },
        ("passwd", [username]) => StaffCommand::Passwd { username: username.clone() },
        ("unlock", [username]) => StaffCommand::Unlock { username: username.clone() },
        ("disable", [username]) => StaffCommand::Disable { username: username.clone() },
        ("list", []) => StaffCommand::List,
        _ => return None,
    };
    Some((command, config))
}

/// The new password: from the environment (scripts), else one line typed or piped in.
fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("TAXICERT_STAFF_PASSWORD") {
        return Ok(password);
    }
    eprint!("请输入密码（至少12个字符），以回车结束：");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("无法读取密码：{e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn staff_command(args: &[String]) -> ExitCode {
    let Some((command, file)) = parse_staff(args) else {
        return usage();
    };
    let config = match Config::load(file.as_deref(), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("taxicert-server: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    runtime.block_on(async move {
        let db = match taxicert_server::db::open(&config.database).await {
            Ok(db) => db,
            Err(e) => {
                eprintln!("taxicert-server: 无法打开数据库 {}：{e}", config.database);
                return ExitCode::FAILURE;
            }
        };
        let done = run_staff(&db, command).await;
        db.close().await;
        match done {
            Ok(message) => {
                println!("{message}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("taxicert-server: {message}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn run_staff(db: &sqlx::AnyPool, command: StaffCommand) -> Result<String, String> {
    let text = |e: staff::AccountError| e.to_string();
    match command {
        StaffCommand::Add { username, display_name, role } => {
            let password = read_password()?;
            staff::create_account(db, &username, &display_name, role, &password).await.map_err(text)?;
            Ok(format!("已创建账号 {username}（{}，{}）。", display_name.trim(), role.name()))
        }
        StaffCommand::Role { username, role } => {
            staff::set_role(db, &username, role).await.map_err(text)?;
            Ok(format!("已把 {username} 的角色改为{}；该账号已登录的会话均已退出。", role.name()))
        }
        StaffCommand::Passwd { username } => {
            let password = read_password()?;
            staff::set_password(db, &username, &password).await.map_err(text)?;
            Ok(format!("已为 {username} 设置新密码；该账号已登录的会话均已退出。"))
        }
        StaffCommand::Unlock { username } => {
            staff::unlock(db, &username).await.map_err(text)?;
            Ok(format!("已解锁 {username}，可以重新登录。"))
        }
        StaffCommand::Disable { username } => {
            staff::disable(db, &username).await.map_err(text)?;
            Ok(format!("已停用 {username}；该账号已登录的会话均已退出。"))
        }
        StaffCommand::List => {
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            let accounts = staff::list(db).await.map_err(text)?;
            if accounts.is_empty() {
                return Ok("还没有业务办理人员账号；用 `taxicert-server staff add` 创建。".into());
            }
            let lines: Vec<String> = accounts
                .into_iter()
                .map(|a| {
                    let role = staff::accounts::parse_role(&a.role).map_or(a.role.clone(), |r| r.name().to_owned());
                    let state = if a.disabled {
                        "已停用".to_owned()
                    } else if let Some(until) = a.locked_until.filter(|until| *until > now) {
                        format!("已锁定（还剩{}分钟）", (until - now + 59) / 60)
                    } else {
                        "正常".to_owned()
                    };
                    format!("{}\t{}\t{}\t{}", a.username, a.display_name, role, state)
                })
                .collect();
            Ok(lines.join("\n"))
        }
    }
}

/// `[--kind KIND] FILE...`, the option anywhere; after `--` everything is a file.
fn parse_photo_check(args: &[String]) -> Option<(photo_check::Kind, Vec<PathBuf>)> {
    let (mut kind, mut files) = (None, Vec::new());
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--" => files.extend(rest.by_ref().map(PathBuf::from)),
            "--kind" if kind.is_none() => kind = Some(photo_check::Kind::parse(rest.next()?)?),
            flag if flag.starts_with("--") => return None,
            _ => files.push(PathBuf::from(arg)),
        }
    }
    (!files.is_empty()).then(|| (kind.unwrap_or(photo_check::Kind::Document), files))
}

fn photo_check_command(args: &[String]) -> ExitCode {
    let Some((kind, files)) = parse_photo_check(args) else {
        return usage();
    };
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    let rules = match runtime.block_on(photo_check::rules(kind)) {
        Ok(rules) => rules,
        Err(message) => {
            eprintln!("taxicert-server: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Every file is checked even after one that cannot be read: the others' lines still count.
    let mut all_read = true;
    for file in files {
        match photo_check::check_path(&file, &rules) {
            Ok(verdict) => println!("{}", serde_json::to_string(&verdict).expect("a verdict serialises")),
            Err(message) => {
                eprintln!("taxicert-server: {message}");
                all_read = false;
            }
        }
    }
    if all_read {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, close the database.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
