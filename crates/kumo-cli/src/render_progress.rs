//! The CLI's [`Ui`]: progress bars on a terminal, plain timestamped lines otherwise (CI logs).
//!
//! * Terminal (stderr is a TTY): a bar with resources done/total, one line per resource in progress with
//!   its elapsed time, and each event printed above the bars as it happens.
//! * Not a terminal: one line per event, `2026-11-25T14:03:11Z  CREATE_COMPLETE  AWS::EC2::VPC  Vpc`,
//!   plus a "still in progress" line every minute so a long wait is visibly alive.
//!
//! Questions are asked on stderr and answered on stdin, only when stdin is a terminal.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime};

use console::Style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kumo_deploy::Interrupt;
use kumo_deploy::events::{StackEvent, format_time};
use kumo_deploy::progress::{Progress, format_elapsed};
use kumo_deploy::stack_state::{Operation, StackStatus};
use kumo_deploy::ui::{Note, Plan, Question, Ui};

use crate::output::{err, errln, out, outln};
use crate::render_cost::{CostContext, plan_cost_line};
use crate::render_diff::render_plan;

/// Resource lines shown at once under the bar; more are summarized.
const MAX_ACTIVE_LINES: usize = 8;
/// Plain mode: how often to print a "still in progress" line.
const HEARTBEAT: Duration = Duration::from_secs(60);

pub struct CliUi {
    interrupt: Interrupt,
    bars: Option<Bars>,
    terminal: bool,
    prompt: bool,
    last_heartbeat: Option<SystemTime>,
    /// Several stacks deploy at once (`--concurrency`): plain lines, each starting with this stack's name.
    side_by_side: Option<String>,
    stack: String,
    /// Shows the cost line (current → new) under the plan.
    cost: Option<CostContext>,
}

struct Bars {
    multi: MultiProgress,
    main: ProgressBar,
    active: BTreeMap<String, ProgressBar>,
    more: Option<ProgressBar>,
}

impl CliUi {
    pub fn new() -> Self {
        CliUi {
            interrupt: crate::signals::interrupt(),
            bars: None,
            terminal: std::io::stderr().is_terminal(),
            prompt: std::io::stdin().is_terminal(),
            last_heartbeat: None,
            side_by_side: None,
            stack: String::new(),
            cost: None,
        }
    }

    /// Also show the stack's cost before and after under the plan.
    /// For a stack deployed beside others: no progress bars (they would overwrite each other), and every
    /// line says which stack it is about.
    pub fn side_by_side(mut self, stack: &str) -> Self {
        self.terminal = false;
        self.side_by_side = Some(stack.to_owned());
        self
    }

    /// `text` with the stack's name in front when several stacks deploy at once.
    fn tagged(&self, text: &str) -> String {
        match &self.side_by_side {
            Some(stack) => format!("{stack}: {text}"),
            None => text.to_owned(),
        }
    }

    pub fn with_cost(mut self, cost: CostContext) -> Self {
        self.cost = Some(cost);
        self
    }

    /// A line of progress text: above the bars on a terminal, timestamped otherwise.
    fn line(&self, text: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(text);
            }
            None if self.terminal => errln!("{text}"),
            None => errln!("{}  {}", format_time(SystemTime::now()), self.tagged(text)),
        }
    }

    fn event_line(&self, event: &StackEvent, progress: &Progress) -> String {
        let style = if event.status.ends_with("_FAILED") {
            Style::new().red().for_stderr()
        } else if event.status.ends_with("_COMPLETE") {
            Style::new().green().for_stderr()
        } else {
            Style::new().for_stderr()
        };
        let mut text = format!(
            "[{}/{}] {} {} {}",
            progress.done(),
            progress.total(),
            style.apply_to(format!("{:<28}", event.status)),
            event.resource_type,
            event.logical_id
        );
        if let Some(reason) = &event.reason {
            text.push_str(&format!("  {reason}"));
        }
        if self.terminal {
            text
        } else {
            format!("{}  {text}", event.time_text())
        }
    }

    fn sync_active(&mut self, progress: &Progress, now: SystemTime) {
        let Some(bars) = &mut self.bars else { return };
        bars.main.set_length(progress.total() as u64);
        bars.main.set_position(progress.done() as u64);
        let active = progress.active();
        let shown: Vec<_> = active.iter().take(MAX_ACTIVE_LINES).collect();
        bars.active.retain(|id, bar| {
            let keep = shown.iter().any(|a| a.logical_id == id);
            if !keep {
                bar.finish_and_clear();
                bars.multi.remove(bar);
            }
            keep
        });
        for resource in &shown {
            if !bars.active.contains_key(resource.logical_id) {
                let bar = ProgressBar::new_spinner()
                    .with_style(ProgressStyle::with_template("  {spinner} {msg} {elapsed}").expect("valid template"))
                    .with_message(format!(
                        "{} {} ({})",
                        resource.status, resource.logical_id, resource.resource_type
                    ))
                    .with_elapsed(resource.elapsed(now));
                let bar = bars.multi.insert_after(&bars.main, bar);
                bar.enable_steady_tick(Duration::from_millis(250));
                bars.active.insert(resource.logical_id.to_owned(), bar);
            }
        }
        let hidden = active.len().saturating_sub(MAX_ACTIVE_LINES);
        match (&bars.more, hidden) {
            (Some(more), 0) => {
                more.finish_and_clear();
                bars.multi.remove(more);
                bars.more = None;
            }
            (Some(more), n) => more.set_message(format!("  ... and {n} more in progress")),
            (None, 0) => {}
            (None, n) => {
                let more = bars.multi.add(
                    ProgressBar::new_spinner()
                        .with_style(ProgressStyle::with_template("{msg}").expect("valid template"))
                        .with_message(format!("  ... and {n} more in progress")),
                );
                bars.more = Some(more);
            }
        }
    }

    fn clear_bars(&mut self) {
        if let Some(bars) = self.bars.take() {
            for bar in bars.active.values() {
                bar.finish_and_clear();
            }
            if let Some(more) = &bars.more {
                more.finish_and_clear();
            }
            bars.main.finish_and_clear();
            let _ = bars.multi.clear();
        }
    }
}

impl Ui for CliUi {
    fn note(&mut self, note: Note) {
        self.line(&note.to_string());
    }

    fn plan(&mut self, plan: &Plan<'_>) {
        out!("{}", render_plan(plan));
        if let Some(cost) = &self.cost {
            outln!("\n{}", plan_cost_line(cost, plan.deployed_template, plan.template));
        }
    }

    fn can_prompt(&self) -> bool {
        self.prompt
    }

    async fn confirm(&mut self, question: &Question) -> bool {
        let (prompt, expected) = match question {
            Question::ApproveSecurityChanges { stack } => (
                format!("Deploy these changes to {stack}, including the security changes above? [y/N] "),
                None,
            ),
            Question::DeleteForRecreate { stack } => (
                format!("Delete {stack} (it holds no resources) and create it again? [y/N] "),
                None,
            ),
            Question::Destroy { stack } => (
                format!("Type the stack name ({stack}) to delete it and its resources: "),
                Some(stack.clone()),
            ),
            Question::CreateUndelegatedCertificate { stack, domain } => (
                format!(
                    "Deploy {stack} anyway? Its certificate waits until {domain} is delegated (CloudFormation gives \
                     up after about 72 hours) [y/N] "
                ),
                None,
            ),
        };
        err!("{prompt}");
        let _ = std::io::stderr().flush();
        // A plain thread, not the runtime's blocking pool: after Ctrl-C the read stays blocked, and the
        // runtime would otherwise wait for it on shutdown.
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut answer = String::new();
            let _ = sender.send(std::io::stdin().read_line(&mut answer).map(|_| answer));
        });
        let answer = tokio::select! {
            biased;
            () = self.interrupt.triggered() => return false,
            answer = receiver => answer,
        };
        let Ok(Ok(answer)) = answer else { return false };
        let answer = answer.trim();
        match expected {
            Some(name) => answer == name,
            None => matches!(answer, "y" | "Y" | "yes" | "YES" | "Yes"),
        }
    }

    fn watch_started(&mut self, stack: &str, operation: Operation, progress: &Progress) {
        self.stack = stack.to_owned();
        self.last_heartbeat = None;
        let verb = match operation {
            Operation::Create => "creating",
            Operation::Update => "updating",
            Operation::Delete => "deleting",
            Operation::Resume => "following",
        };
        if self.terminal {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let main = multi.add(
                ProgressBar::new(progress.total() as u64)
                    .with_style(
                        ProgressStyle::with_template(
                            "{spinner:.cyan} {prefix} [{bar:30.cyan/blue}] {pos}/{len} resources  {elapsed}",
                        )
                        .expect("valid template")
                        .progress_chars("=> "),
                    )
                    .with_prefix(format!("{verb} {stack}")),
            );
            main.enable_steady_tick(Duration::from_millis(120));
            main.set_position(progress.done() as u64);
            self.bars = Some(Bars {
                multi,
                main,
                active: BTreeMap::new(),
                more: None,
            });
        } else {
            self.line(&format!(
                "{verb} {stack}: following stack events ({} resources expected)",
                progress.total()
            ));
        }
    }

    fn event(&mut self, event: &StackEvent, progress: &Progress) {
        let text = self.event_line(event, progress);
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(text);
            }
            None => errln!("{}", self.tagged(&text)),
        }
    }

    fn tick(&mut self, progress: &Progress, now: SystemTime) {
        if self.bars.is_some() {
            self.sync_active(progress, now);
            return;
        }
        let due = self
            .last_heartbeat
            .is_none_or(|last| now.duration_since(last).unwrap_or_default() >= HEARTBEAT);
        if !due {
            return;
        }
        self.last_heartbeat = Some(now);
        let active = progress.active();
        if active.is_empty() {
            return;
        }
        let list: Vec<String> = active
            .iter()
            .take(MAX_ACTIVE_LINES)
            .map(|a| format!("{} {}", a.logical_id, format_elapsed(a.elapsed(now))))
            .collect();
        let more = active.len().saturating_sub(MAX_ACTIVE_LINES);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let text = format!(
            "[{}/{}] still in progress: {}{more}",
            progress.done(),
            progress.total(),
            list.join(", ")
        );
        errln!("{}  {}", format_time(now), self.tagged(&text));
    }

    fn watch_finished(&mut self, progress: &Progress, final_status: &StackStatus) {
        self.clear_bars();
        // Counts only mean something when the endpoint reported per-resource events.
        let text = if progress.done() > 0 {
            format!(
                "{}: {final_status} ({}/{} resources)",
                self.stack,
                progress.done(),
                progress.total()
            )
        } else {
            format!("{}: {final_status}", self.stack)
        };
        self.line(&text);
    }
}

impl Drop for CliUi {
    fn drop(&mut self) {
        self.clear_bars();
    }
}
