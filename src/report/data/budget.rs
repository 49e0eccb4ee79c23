//! The fund pages: each fund's numbers, its chart and its approving team.

use super::TeamRef;
use crate::budget::FundReport;
use crate::model::Org;
use crate::report::layout::{Bars, bars};
use serde::Serialize;

/// One fund in the index summary and its page.
#[derive(Debug, Clone, Serialize)]
pub struct FundPage {
    /// The numbers.
    pub fund: FundReport,
    /// The chart.
    pub bars: Bars,
    /// The approving team.
    pub approvers: TeamRef,
}

/// Every fund's page, in `funds` order.
pub(super) fn pages(org: &Org, funds: Vec<FundReport>) -> Vec<FundPage> {
    funds
        .into_iter()
        .map(|f| FundPage {
            bars: bars(&f),
            approvers: TeamRef::of(org, &f.approvers),
            fund: f,
        })
        .collect()
}
