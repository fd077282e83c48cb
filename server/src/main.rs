//! `taxicert-server [serve] [--config FILE]` runs the reference backend;
//! `taxicert-server openapi` prints the contract; `taxicert-server csp [DIST]` prints the
//! Content-Security-Policy a CDN must send with the built `index.html`.

use std::{path::PathBuf, process::ExitCode};

use taxicert_server::{config::LogFormat, Config};

fn usage() -> ExitCode {
    eprintln!("usage: taxicert-server [serve] [--config FILE] | openapi | csp [DIST]");
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
