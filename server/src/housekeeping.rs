//! Keeps the photo store to what the database records, at start-up (before the server answers)
//! and every `storage_sweep_interval_seconds`:
//!
//! - **retention** deletes the photos no longer needed — replaced ones, and those of drafts
//!   untouched for `retention_days` — and audits each (`upload_removed`); photos of submitted
//!   cases are kept;
//! - **the sweep** removes what a crash left: unfinished files and objects that no upload row
//!   names, once older than `storage_sweep_grace_seconds` (an upload in flight has written its
//!   object but not yet its row).
//!
//! The sweep compares the store's own times with the wall clock; retention compares the rows'
//! times with the server's clock.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant, SystemTime},
};

use futures::StreamExt;

use crate::{
    audit::{self, Entry, Event},
    drafts,
    error::AppResult,
    AppState,
};

/// Objects looked up in the database at a time: one query per page, not per object.
const SWEEP_PAGE: usize = 200;

/// What one sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Files a crash left half-written.
    pub unfinished: usize,
    /// Objects no live upload row names.
    pub orphans: usize,
}

/// What one retention pass deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Retained {
    /// Photos replaced by a newer one of the same material that a draft or case uses.
    pub replaced: usize,
    /// Photos of drafts untouched for `retention_days`, or never used by a draft in that time.
    pub abandoned: usize,
}

/// Retention, then the sweep; a failure is logged and waits for the next run.
pub async fn run(state: &AppState) {
    match retention(state).await {
        Ok(r) if r != Retained::default() => {
            tracing::info!(replaced = r.replaced, abandoned = r.abandoned, "photos no longer needed deleted")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention stopped; it runs again at the next sweep"),
    }
    let started = Instant::now();
    match sweep(state).await {
        Ok(s) => tracing::info!(
            unfinished = s.unfinished,
            orphans = s.orphans,
            millis = started.elapsed().as_millis() as u64,
            "photo store swept"
        ),
        Err(e) => tracing::warn!(error = %e, "the photo store sweep stopped; it runs again at the next interval"),
    }
}

/// Runs [`run`] every `storage_sweep_interval_seconds` (the start-up run is the caller's).
pub fn spawn_schedule(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let period = Duration::from_secs(state.config.storage_sweep_interval_seconds);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run(&state).await;
        }
    })
}

/// Removes unfinished files and objects without a live row, older than the grace.
pub async fn sweep(state: &AppState) -> AppResult<Swept> {
    let grace = Duration::from_secs(state.config.storage_sweep_grace_seconds);
    let before = SystemTime::now().checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH);
    let cutoff = before.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let mut swept = Swept { unfinished: state.storage.remove_unfinished(before).await, orphans: 0 };
    let mut pages = state.storage.objects().chunks(SWEEP_PAGE);
    while let Some(page) = pages.next().await {
        let page = page.into_iter().collect::<AppResult<Vec<(String, i64)>>>()?;
        // At least the grace old: stores keep whole seconds.
        let old: Vec<String> = page.into_iter().filter(|(_, written)| *written <= cutoff).map(|(name, _)| name).collect();
        if old.is_empty() {
            continue;
        }
        let live = live_names(state, &old).await?;
        for name in old.iter().filter(|name| !live.contains(*name)) {
            if state.storage.delete(name).await.is_ok() {
                tracing::debug!(object = %name, "removed an object no upload names");
                swept.orphans += 1;
            }
        }
    }
    Ok(swept)
}

/// Which of `names` a live (not deleted) upload row names.
async fn live_names(state: &AppState, names: &[String]) -> AppResult<HashSet<String>> {
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT stored_name FROM uploads WHERE deleted_at IS NULL AND stored_name IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String,)>(&sql);
    for name in names {
        query = query.bind(name.as_str());
    }
    Ok(query.fetch_all(&state.db).await?.into_iter().map(|(name,)| name).collect())
}

/// Why retention deletes a photo: the audit entry's outcome.
#[derive(Clone, Copy)]
enum Unneeded {
    Replaced,
    Abandoned,
}

/// Deletes the photos no longer needed. A photo is kept while a submitted case holds it, or a
/// draft saved in the last `retention_days` names it. Otherwise it is deleted when a newer
/// photo of the same user and material is in a draft or a case (replaced; once older than the
/// sweep's grace), or when its draft was last saved, or it was uploaded, more than
/// `retention_days` ago (abandoned). The row stays, marked deleted, as `DELETE /uploads/{id}`
/// leaves it; each deletion is audited with the upload as subject.
pub async fn retention(state: &AppState) -> AppResult<Retained> {
    let now = state.clock.now();
    let stale_before = now - i64::from(state.config.retention_days) * 86_400;
    let replaced_before = now - state.config.storage_sweep_grace_seconds as i64;
    let drafts = drafts::named_uploads(state).await?;
    let named: HashSet<&str> = drafts.named.iter().map(|(id, _)| id.as_str()).collect();
    let in_fresh_draft: HashSet<&str> =
        drafts.named.iter().filter(|(_, saved)| *saved >= stale_before).map(|(id, _)| id.as_str()).collect();

    let uploads: Vec<(String, i64, String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT u.id, u.user_id, u.material_code, u.stored_name, u.created_at,
                CASE WHEN {} THEN 1 ELSE 0 END
           FROM uploads u WHERE u.deleted_at IS NULL",
        crate::uploads::held_by_a_case("u.id")
    ))
    .fetch_all(&state.db)
    .await?;
    // The newest photo of each user and material that a draft or a case uses.
    let mut newest_used: HashMap<(i64, &str), i64> = HashMap::new();
    for (id, user_id, material, _, created_at, in_case) in &uploads {
        if *in_case == 1 || named.contains(id.as_str()) {
            let newest = newest_used.entry((*user_id, material.as_str())).or_insert(*created_at);
            *newest = (*newest).max(*created_at);
        }
    }

    let mut retained = Retained::default();
    for (id, user_id, material, stored_name, created_at, in_case) in &uploads {
        if *in_case == 1 || in_fresh_draft.contains(id.as_str()) || drafts.unreadable.contains(user_id) {
            continue;
        }
        let replaced = !named.contains(id.as_str())
            && *created_at < replaced_before
            && newest_used.get(&(*user_id, material.as_str())).is_some_and(|newest| newest > created_at);
        let why = if replaced {
            Unneeded::Replaced
        } else if *created_at < stale_before {
            Unneeded::Abandoned
        } else {
            continue;
        };
        if remove(state, now, id, *user_id, stored_name, why).await? {
            match why {
                Unneeded::Replaced => retained.replaced += 1,
                Unneeded::Abandoned => retained.abandoned += 1,
            }
        }
    }
    Ok(retained)
}

/// Marks one upload deleted with its audit entry, then deletes its object (should that fail,
/// the sweep does it later: no live row names it). `false` when a case took it meanwhile.
async fn remove(state: &AppState, now: i64, id: &str, user_id: i64, stored_name: &str, why: Unneeded) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    if !crate::uploads::mark_deleted(&mut *tx, id, now).await? {
        return Ok(false);
    }
    let subject = format!("upload:{id}");
    let outcome = match why {
        Unneeded::Replaced => "replaced",
        Unneeded::Abandoned => "abandoned",
    };
    let entry = Entry {
        event: Event::UploadRemoved,
        outcome,
        user_id: Some(user_id),
        phone_masked: None,
        // No request: the server did it.
        client_ip: "",
        staff_id: None,
        subject: Some(&subject),
    };
    audit::record(&mut *tx, now, entry).await?;
    tx.commit().await?;
    let _ = state.storage.delete(stored_name).await;
    Ok(true)
}
