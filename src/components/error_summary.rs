//! The GOV.UK error pattern: a summary at the top that takes focus and links to each field,
//! and the message again beside the field.

use leptos::{html, prelude::*};

/// A problem with one field (by its element id), or with the form as a whole (`field: None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn at(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: Some(field.into()), message: message.into() }
    }

    pub fn form(message: impl Into<String>) -> FieldError {
        FieldError { field: None, message: message.into() }
    }
}

/// The message for `field`, if there is one.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field.as_deref() == Some(field)).map(|e| e.message.clone())
}

#[component]
pub fn ErrorSummary(errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let summary = NodeRef::<html::Div>::new();
    // Each new set of errors takes focus, so that a screen reader reads it at once.
    Effect::new(move |_| {
        if !errors.read().is_empty() {
            if let Some(element) = summary.get() {
                let _ = element.focus();
            }
        }
    });
    view! {
        <Show when=move || !errors.read().is_empty()>
            <div class="error-summary" role="alert" tabindex="-1" node_ref=summary>
                <h2 class="error-summary__title">"请修改以下问题"</h2>
                <ul class="error-summary__list">
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|error| match error.field {
                                Some(field) => {
                                    let href = format!("#{field}");
                                    view! {
                                        <li>
                                            <a
                                                href=href
                                                on:click=move |ev| {
                                                    ev.prevent_default();
                                                    crate::browser::focus_by_id(&field);
                                                }
                                            >
                                                {error.message}
                                            </a>
                                        </li>
                                    }
                                        .into_any()
                                }
                                None => view! { <li>{error.message}</li> }.into_any(),
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}

/// The message beside a field; its id is `{field}-error`, for `aria-describedby`.
#[component]
pub fn FieldMessage(field: &'static str, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    move || {
        error_for(&errors.read(), field).map(|message| {
            let id = format!("{field}-error");
            view! { <p class="field-error" id=id>{message}</p> }
        })
    }
}
