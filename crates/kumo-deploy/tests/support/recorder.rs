//! A [`Ui`] that records everything and answers questions as told; can also press Ctrl-C.

use std::time::{Duration, SystemTime};

use kumo_deploy::Interrupt;
use kumo_deploy::changes::ResourceChange;
use kumo_deploy::events::StackEvent;
use kumo_deploy::progress::Progress;
use kumo_deploy::security::SecurityDiff;
use kumo_deploy::stack_state::{Operation, StackStatus};
use kumo_deploy::ui::{Note, Plan, Question, Ui};

#[derive(Clone, Debug)]
pub struct RecordedPlan {
    pub creates_stack: bool,
    pub changes: Vec<ResourceChange>,
    pub security: SecurityDiff,
}

#[derive(Clone, Debug)]
pub struct Tick {
    pub done: usize,
    pub total: usize,
    /// In-progress resources with their elapsed time.
    pub active: Vec<(String, Duration)>,
}

#[derive(Default)]
pub struct Recorder {
    pub notes: Vec<Note>,
    pub plans: Vec<RecordedPlan>,
    pub questions: Vec<Question>,
    /// The answer to every question.
    pub answer: bool,
    /// Whether a person is there to ask (a terminal).
    pub interactive: bool,
    pub events: Vec<StackEvent>,
    pub ticks: Vec<Tick>,
    pub started: Vec<(String, Operation)>,
    pub finished: Vec<String>,
    /// Press Ctrl-C after this many events.
    pub interrupt_after_events: Option<(usize, Interrupt)>,
    /// Press Ctrl-C while the plan is shown (before execute).
    pub interrupt_on_plan: Option<Interrupt>,
}

impl Recorder {
    pub fn non_interactive() -> Recorder {
        Recorder::default()
    }

    pub fn answering(answer: bool) -> Recorder {
        Recorder {
            answer,
            interactive: true,
            ..Recorder::default()
        }
    }

    pub fn has_note(&self, matches: impl Fn(&Note) -> bool) -> bool {
        self.notes.iter().any(matches)
    }
}

impl Ui for Recorder {
    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }

    fn plan(&mut self, plan: &Plan<'_>) {
        self.plans.push(RecordedPlan {
            creates_stack: plan.creates_stack,
            changes: plan.changes.to_vec(),
            security: plan.security.clone(),
        });
        if let Some(interrupt) = &self.interrupt_on_plan {
            interrupt.trigger();
        }
    }

    fn can_prompt(&self) -> bool {
        self.interactive
    }

    async fn confirm(&mut self, question: &Question) -> bool {
        self.questions.push(question.clone());
        self.answer
    }

    fn watch_started(&mut self, stack: &str, operation: Operation, _progress: &Progress) {
        self.started.push((stack.to_owned(), operation));
    }

    fn event(&mut self, event: &StackEvent, _progress: &Progress) {
        self.events.push(event.clone());
        if let Some((after, interrupt)) = &self.interrupt_after_events
            && self.events.len() >= *after
        {
            interrupt.trigger();
        }
    }

    fn tick(&mut self, progress: &Progress, now: SystemTime) {
        self.ticks.push(Tick {
            done: progress.done(),
            total: progress.total(),
            active: progress
                .active()
                .iter()
                .map(|a| (a.logical_id.to_owned(), a.elapsed(now)))
                .collect(),
        });
    }

    fn watch_finished(&mut self, _progress: &Progress, final_status: &StackStatus) {
        self.finished.push(final_status.to_string());
    }
}
