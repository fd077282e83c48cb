//! 工作统计: each staff member's 受理, 退回补正, 办结 and 不予受理 in a period, and the average
//! time from submission to his decision. The period opens on this month (Beijing).

use leptos::prelude::*;
use taxicert_api::ClerkWork;

use super::{forms, loaded, StaffScreen};
use crate::{browser, routes::Route, use_app};

#[component]
pub fn StaffReportPage() -> impl IntoView {
    view! {
        <StaffScreen title="工作统计" trail=vec![(Route::Staff, "业务办理")]>
            <Report />
        </StaffScreen>
    }
}

#[component]
fn Report() -> impl IntoView {
    let api = use_app().api;
    let (first, today) = forms::this_month((browser::now_ms() / 1000.0) as i64);
    let from = RwSignal::new(first);
    let to = RwSignal::new(today);
    let report = LocalResource::new(move || {
        let (api, from, to) = (api.clone(), from.get(), to.get());
        async move { api.staff_clerk_report(&from, &to).await }
    });
    let day_input = move |id: &'static str, label: &'static str, day: RwSignal<String>| {
        view! {
            <div class="staff-filter">
                <label class="staff-filter__label" for=id>{label}</label>
                <input
                    id=id
                    class="staff-input"
                    type="date"
                    prop:value=move || day.get()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        // A cleared input keeps the day it had: the period needs both ends.
                        if !value.is_empty() {
                            day.set(value);
                        }
                    }
                />
            </div>
        }
    };
    view! {
        <div class="staff-toolbar">
            {day_input("report-from", "起始日期", from)}
            {day_input("report-to", "截止日期", to)}
        </div>
        {loaded(report, |rows: Vec<ClerkWork>| {
            if rows.is_empty() {
                return view! { <p class="staff-empty" role="status">"这段时间没有人办理过办件。"</p> }.into_any();
            }
            view! {
                <table class="staff-table" id="staff-report">
                    <caption class="visually-hidden">"工作统计"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"办理人员"</th>
                            <th scope="col">"受理"</th>
                            <th scope="col">"退回补正"</th>
                            <th scope="col">"办结"</th>
                            <th scope="col">"不予受理"</th>
                            <th scope="col">"平均办理时长"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| view! {
                                <tr>
                                    <th scope="row" data-label="办理人员">{format!("{}（{}）", row.display_name, row.username)}</th>
                                    <td data-label="受理">{row.accepted}</td>
                                    <td data-label="退回补正">{row.returned}</td>
                                    <td data-label="办结">{row.completed}</td>
                                    <td data-label="不予受理">{row.refused}</td>
                                    <td data-label="平均办理时长">{forms::duration_text(row.average_decision_minutes)}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <p class="staff-hint">"平均办理时长：从申请人提交到该人员办结或不予受理的平均时间（按自然时间计）。"</p>
            }
            .into_any()
        })}
    }
}
