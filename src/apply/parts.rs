//! A gateway's parts as apply writes them: the work on each registered part
//! ([`crate::kind::for_each_part!`]), built from its plan and carried out in the order of
//! [`Part::ALL`] once the gateway is READY (targets, then the rules that route to them, then
//! rate limits, then the resource policy).

use std::fmt::Debug;

use super::{items, ApplyError, ItemWork, PolicyWork, Run};
use crate::api::items::ItemApi;
use crate::api::WriteApi;
use crate::kind::{ItemKind, Part, PolicyKind};
use crate::plan::{Action, GatewayPlan, ItemPlan, PlannedPart, PolicyPlan};

/// The work on one part: what its plan needs done.
pub trait PartWork: PlannedPart {
    /// The item calls, or the policy call.
    type Work: Debug + Clone + PartialEq + Eq + Send + Sync;
    /// The work the part's plan needs (possibly none).
    fn work_of(planned: &Self::Planned) -> Self::Work;
    /// True when there is nothing to do.
    fn is_idle(work: &Self::Work) -> bool;
}

/// How apply carries out a part's work (private: it names apply's own `Run`).
trait ApplyPart: PartWork {
    /// Carries out `work` on the gateway `run` is about, once it is READY.
    async fn apply<A: WriteApi>(api: &A, run: &mut Run<'_>, work: Self::Work) -> Result<(), ApplyError>;
}

impl<K: ItemApi + PlannedPart<Planned = Vec<ItemPlan<K>>>> PartWork for K {
    type Work = Vec<ItemWork<K>>;

    /// The calls a gateway's items need, in plan order (apply orders deletes first); a
    /// replacement is a delete and a create. System-managed items are never touched.
    fn work_of(plans: &Vec<ItemPlan<K>>) -> Vec<ItemWork<K>> {
        let mut out = Vec::new();
        for p in plans.iter().filter(|p| p.managed_by.is_none()) {
            match (p.action, &p.observed, &p.desired) {
                (Action::Create, _, Some(desired)) => {
                    out.push(ItemWork::Create { desired: desired.clone(), replaces: None })
                }
                (Action::Update, Some(seen), Some(desired)) => {
                    out.push(ItemWork::Update { id: seen.id.clone(), desired: desired.clone() })
                }
                (Action::Replace, Some(seen), Some(desired)) => {
                    out.push(ItemWork::Delete { id: seen.id.clone(), key: p.key.clone() });
                    out.push(ItemWork::Create { desired: desired.clone(), replaces: Some(seen.updated_at.clone()) });
                }
                (Action::Delete, Some(seen), _) => {
                    out.push(ItemWork::Delete { id: seen.id.clone(), key: p.key.clone() })
                }
                _ => {}
            }
        }
        out
    }

    fn is_idle(work: &Vec<ItemWork<K>>) -> bool {
        work.is_empty()
    }
}

impl<K: ItemApi + PlannedPart<Planned = Vec<ItemPlan<K>>>> ApplyPart for K {
    async fn apply<A: WriteApi>(api: &A, run: &mut Run<'_>, work: Vec<ItemWork<K>>) -> Result<(), ApplyError> {
        if work.is_empty() {
            return Ok(());
        }
        let Some(gateway_id) = run.gateway_id.clone() else { return Ok(()) };
        run.say(&format!("applying {}", <K as ItemKind>::NOUNS));
        items::apply(api, run, &gateway_id, work).await
    }
}

impl PartWork for PolicyKind {
    type Work = Option<PolicyWork>;

    fn work_of(plan: &PolicyPlan) -> Option<PolicyWork> {
        match (plan.action, &plan.desired) {
            (Action::Create | Action::Update, Some(desired)) => Some(PolicyWork::Put(desired.clone())),
            (Action::Delete, _) => Some(PolicyWork::Delete),
            _ => None,
        }
    }

    fn is_idle(work: &Option<PolicyWork>) -> bool {
        work.is_none()
    }
}

impl ApplyPart for PolicyKind {
    async fn apply<A: WriteApi>(api: &A, run: &mut Run<'_>, work: Option<PolicyWork>) -> Result<(), ApplyError> {
        let (Some(policy), Some(arn)) = (work, run.gateway_arn.clone()) else { return Ok(()) };
        run.say("applying the resource policy");
        match policy {
            PolicyWork::Put(p) => {
                api.put_resource_policy(&arn, &p)
                    .await
                    .map_err(|source| ApplyError::Api { call: "PutResourcePolicy", source })?;
                run.did("PutResourcePolicy");
            }
            PolicyWork::Delete => {
                api.delete_resource_policy(&arn)
                    .await
                    .map_err(|source| ApplyError::Api { call: "DeleteResourcePolicy", source })?;
                run.did("DeleteResourcePolicy");
            }
        }
        Ok(())
    }
}

macro_rules! parts_work {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
        /// What to do for each part of a gateway; `None` for a part its spec does not declare
        /// (for a replacement, an undeclared part's live items refuse it).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct PartsWork {
            $(
                #[doc = concat!("The work on `", $key, "`.")]
                pub $field: Option<<$kind as PartWork>::Work>,
            )*
        }

        impl PartsWork {
            /// The work a gateway's plan needs on each part it manages.
            pub fn of(plan: &GatewayPlan) -> PartsWork {
                PartsWork { $($field: plan.$field.as_ref().map(<$kind as PartWork>::work_of),)* }
            }

            /// True when no part has anything to do.
            pub fn is_idle(&self) -> bool {
                true $(&& self.$field.as_ref().is_none_or(<$kind as PartWork>::is_idle))*
            }

            /// True when the spec declares `part`.
            pub fn declares(&self, part: Part) -> bool {
                match part {
                    $(Part::$var => self.$field.is_some(),)*
                }
            }

            /// Carries out every part's work, in the order of [`Part::ALL`], on the gateway
            /// `run` is about once it is READY; stops at the first part that fails.
            pub(super) async fn apply<A: WriteApi>(self, api: &A, run: &mut Run<'_>) -> Result<(), ApplyError> {
                let PartsWork { $(mut $field,)* } = self;
                for part in Part::ALL {
                    match part {
                        $(Part::$var => {
                            if let Some(work) = $field.take() {
                                <$kind as ApplyPart>::apply(api, run, work).await?;
                            }
                        })*
                    }
                }
                Ok(())
            }
        }
    };
}
crate::kind::for_each_part!(parts_work);
