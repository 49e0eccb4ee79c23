//! The email provider behind the core's [`Provider`] trait: email aliases on the backend
//! org.yaml configures (a Postfix map or Mailgun routes), read and written whole.

use super::changes::{PROVIDER, is_email, plan_part};
use super::results::{partial_selection, results};
use super::{ApplyOptions, Backend, BackendOptions, EmailPlan, desired_aliases};
use crate::apply::{ApplyReport, Progress};
use crate::interface::{Description, Group, Kind, Provider, ProviderFuture};
use crate::model::Org;
use crate::plan::{Change, PlanPart, fingerprint};
use jiff::civil::Date;

/// The email provider's description.
pub static DESCRIPTION: Description = Description {
    name: PROVIDER,
    title: "email",
    about: "Email aliases on the mail server (org.yaml `email.backend`)",
    configured_by: "`email.backend`",
    desired: "the email aliases in the org files",
    live: "the mail server",
    account_noun: None,
    configured: |org| org.spec.email.as_ref().is_some_and(|e| e.backend.is_some()),
    kinds: &[Kind {
        name: "alias",
        doc: "an email alias and its recipients (private addresses redacted)",
        group: Group::Fixed {
            title: "email aliases",
            rank: 2,
        },
    }],
};

/// The email provider: this machine's backend settings, and what it read.
pub struct EmailProvider {
    options: BackendOptions,
    apply_options: ApplyOptions,
    read: Option<(EmailPlan, Backend)>,
}

impl EmailProvider {
    /// A provider with this machine's backend settings (`ORGCTL_POSTMAP`, `MAILGUN_API_KEY`, …)
    /// and apply's options (`--allow-drift`).
    pub fn new(options: BackendOptions, apply_options: ApplyOptions) -> EmailProvider {
        EmailProvider {
            options,
            apply_options,
            read: None,
        }
    }

    async fn read(&mut self, org: &Org, today: Date) -> anyhow::Result<PlanPart> {
        let backend = Backend::from_config(org.spec.email.as_ref(), self.options.clone())?;
        let plan = super::plan(org, today, &backend).await?;
        let part = plan_part(&plan);
        self.read = Some((plan, backend));
        Ok(part)
    }
}

impl Provider for EmailProvider {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn desired_fingerprint(&self, org: &Org, today: Date) -> Option<String> {
        (DESCRIPTION.configured)(org).then(|| fingerprint(&desired_aliases(org, today)))
    }

    fn plan<'a>(
        &'a mut self,
        org: &'a Org,
        today: Date,
    ) -> ProviderFuture<'a, anyhow::Result<PlanPart>> {
        Box::pin(self.read(org, today))
    }

    fn guard(&self, planned: &[Change], selected: &[Change]) -> Vec<String> {
        let mut refusals: Vec<String> = partial_selection(planned, selected).into_iter().collect();
        let Some((plan, _)) = &self.read else {
            return refusals;
        };
        if selected.iter().any(is_email) {
            refusals.extend(plan.conflicts.iter().map(|d| format!("email: {d}")));
            if !self.apply_options.allow_drift {
                refusals.extend(plan.drift.iter().map(|d| {
                    format!(
                        "email: {d} (edited by hand: review, then pass --allow-drift to overwrite)"
                    )
                }));
            }
        }
        refusals
    }

    fn apply<'a>(
        &'a self,
        changes: &'a [Change],
        progress: &'a mut dyn FnMut(Progress<'_>),
    ) -> ProviderFuture<'a, ApplyReport> {
        Box::pin(async move {
            let written = match &self.read {
                Some((plan, backend)) => {
                    super::apply(plan, backend, &super::secrets::Env, self.apply_options)
                        .await
                        .map_err(|e| e.to_string())
                }
                None => Err("the mail server was not read before applying".to_string()),
            };
            let results = results(changes, written.as_ref().map_err(Clone::clone));
            let total = results.len();
            for (index, result) in results.iter().enumerate() {
                progress(Progress::Finished {
                    index,
                    total,
                    result,
                });
            }
            ApplyReport {
                results,
                stopped: None,
            }
        })
    }
}
