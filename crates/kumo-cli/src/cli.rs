//! Command-line arguments (clap). Every flag is documented here; `kumo help <command>` shows it.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// The version line: crate version plus the date of the pinned CloudFormation schemas.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (CloudFormation schemas {})",
        env!("CARGO_PKG_VERSION"),
        kumo_cfn::SCHEMA_DATE
    )
});

/// Longest `--timeout`: 72 hours, beyond anything a CloudFormation operation runs.
pub const MAX_TIMEOUT_MINUTES: u64 = 72 * 60;

#[derive(Debug, Parser)]
#[command(
    name = "kumo",
    version = VERSION.as_str(),
    about = "Stand up and tear down a real AWS environment from Rust, through CloudFormation",
    long_about = "kumo synthesizes deterministic CloudFormation templates from typed Rust constructs and deploys \
them through the CloudFormation API: no Node, no bootstrap stack, no asset bucket, no Lambda-backed custom resources.\n\n\
With no kumo.toml, commands use the built-in EKS-on-EC2 blueprint with its embedded defaults.",
    after_help = "Exit codes: 0 success (diff: no changes), 1 diff found changes, 2 bad input or failure, \
130 interrupted by Ctrl-C, 143 by SIGTERM (a change set not yet executed is deleted; an operation already \
running continues and the next run resumes watching), 141 stdout closed by its reader.\n\
AWS settings come from the standard chain (AWS_PROFILE, AWS_REGION, ~/.aws/config, ...); \
AWS_ENDPOINT_URL is honoured."
)]
pub struct Cli {
    /// Blueprint configuration file [default: ./kumo.toml if it exists, else the built-in defaults]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Environment: a complete, separate copy of the blueprint. Its stacks are <stack>-NAME and
    /// <stack>-NAME-dns, and every physical name AWS requires to be unique gets -NAME (IAM names also the
    /// region) [default: [stack] env in kumo.toml, else none: the configured names exactly]
    #[arg(long, global = true, value_name = "NAME")]
    pub env: Option<String>,

    /// Your app: the command that writes its cloud assembly, run with `sh -c` with KUMO_OUT_DIR (where to
    /// write) and KUMO_ENV (--env) set [default: [app] command in kumo.toml, else the built-in blueprint]
    #[arg(long, global = true, value_name = "CMD")]
    pub app: Option<String>,

    /// Show each AWS request on stderr (service, operation, status, duration, request id, attempt);
    /// -vv adds endpoints, retry waits and the credential provider chosen. Never credentials or request
    /// bodies. RUST_LOG (e.g. RUST_LOG=kumo=debug) replaces these settings.
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Synthesize the stack's CloudFormation template into the output directory and run the security
    /// rules on it (no AWS access)
    Synth(SynthArgs),
    /// Run kumo's security rules on any CloudFormation template (JSON or YAML); exit code 1 when
    /// findings remain (no AWS access)
    Check(CheckArgs),
    /// Write a commented kumo.toml to start from: every setting with its default (no AWS access)
    Init(InitArgs),
    /// Create a new app: a Rust crate with two small stacks, a test and a kumo.toml with [app]
    New(NewArgs),
    /// List the stacks of the app (or of the blueprint) in deploy order, with their dependencies (no AWS
    /// access)
    Ls(LsArgs),
    /// Show what a deploy would change: resources, replacements and a security section.
    /// Exit code 0: no changes, 1: changes, 2: error
    Diff(DiffArgs),
    /// Deploy through a change set: preflight, diff, approve security changes, execute, follow events,
    /// write outputs
    Deploy(DeployArgs),
    /// Check, read-only, that the account is ready for a deploy: identity and cluster admins, region and
    /// zones, CodeBuild sources, Kubernetes and database versions, instance types, quotas.
    /// Exit code 0: ready (warnings allowed), 2: a check failed
    Preflight(PreflightArgs),
    /// Delete the stack and its resources (asks for the stack name to be typed, or --yes)
    Destroy(DestroyArgs),
    /// Print the stack's outputs
    Outputs(OutputsArgs),
    /// Show the stack's status, its last events, drift status, what to do next, and the cluster side
    Status(StatusArgs),
    /// List the kumo environments of the region (or every region): stack, environment, status, last
    /// change, age, whether a DNS zone is kept for it, and its time-to-live
    List(ListArgs),
    /// What the stack (or any template) costs per hour and per month, before it exists (offline by default)
    #[command(
        long_about = "What the stack costs per hour and per month, before it exists: one line per priced part \
(EKS control plane, NAT gateways, public IPv4 addresses, interface endpoints per AZ, nodes, Aurora instances and \
storage, KMS keys, secrets, hosted zones) with quantity, unit price and its source, hourly and monthly (730 h) \
figures, and the totals \"expected\" and \"max\". Usage-based prices (data processed, log ingestion, I/O, ECR \
storage, build minutes) are listed outside the totals; resources kumo cannot price are listed as \"not priced\".\n\n\
Prices come from kumo's committed, dated price table (no AWS access, no credentials); a price the table does not \
have is shown as unknown, never guessed. --live asks the AWS Price List API instead (needs credentials).\n\n\
Region: --region, else [stack] region in kumo.toml, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's \
region, else us-east-1."
    )]
    Cost(CostArgs),
    /// Add or update the stack's cluster in your kubeconfig; its user runs `kumo token`
    Kubeconfig(KubeconfigArgs),
    /// Install or upgrade the in-cluster bundle (AWS Load Balancer Controller) on the stack's cluster.
    /// `kumo deploy` does this by itself; this is for a stack that is already up
    Bundle(BundleArgs),
    /// Show or change the stack's time-to-live (set with `kumo deploy --ttl`): `kumo ttl`, `kumo ttl extend 4h`,
    /// `kumo ttl off`. A change updates only the KumoExpiry (and KumoNotifyAt) parameters of the reaper
    /// stack `<stack>-ttl`; the stack itself is not touched
    Ttl(TtlArgs),
    /// Print an EKS bearer token as an ExecCredential (the kubeconfig exec plugin; like `aws eks get-token`)
    Token(TokenArgs),
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Stacks to report on [default: all]; the app writes all of them
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Output directory; created if missing (its parent must exist)
    #[arg(long, value_name = "DIR", default_value = "kumo.out")]
    pub out: PathBuf,

    /// Template format
    #[arg(long, value_enum, default_value_t = TemplateFormat::Json)]
    pub format: TemplateFormat,

    /// Fail (exit code 1, after writing the output) when a security finding is not waived
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 no unwaived finding, 1 findings remain, 2 the template cannot be read.\n\
Waivers are read from each resource's Metadata: {\"kumo\": {\"waivers\": [{\"rule\": ID, \"reason\": TEXT}]}} \
(what kumo synth writes for waivers made in code). `kumo check --rules` lists the rules."
)]
pub struct CheckArgs {
    /// The template to check: JSON, or YAML with CloudFormation's short-form tags (!Ref, !Sub, ...)
    #[arg(long, value_name = "FILE", required_unless_present = "rules")]
    pub template: Option<PathBuf>,

    /// List the rules (id, severity, what each looks for, how to fix) and exit
    #[arg(long, conflicts_with = "template")]
    pub rules: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    /// Pretty-printed JSON (`<Stack>.template.json`)
    Json,
    /// YAML with long-form intrinsics (`<Stack>.template.yaml`)
    Yaml,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// Price this CloudFormation template (JSON, or YAML with !Ref-style tags) instead of the kumo project
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Template parameter (repeatable), for quantities or types a template takes from parameters
    /// [default: the parameters' defaults]
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Print the estimate as JSON (region, currency, prices_date, hourly, monthly, items, usage_prices,
    /// not_priced, ...)
    #[arg(long)]
    pub json: bool,

    /// Ask the AWS Price List API for exactly the prices the template needs, instead of the committed table
    /// (needs AWS credentials)
    #[arg(long)]
    pub live: bool,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The crate's name (and directory): lowercase letters, digits, - and _, starting with a letter
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Directory to create the crate in [default: ./NAME]
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// One line per stack with what it depends on, its region, resource count and destroy behaviour
    #[arg(long, short = 'l')]
    pub long: bool,

    /// Use this cloud assembly directory instead of the app or blueprint
    #[arg(long, value_name = "DIR")]
    pub assembly: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the configuration; its directory must exist
    #[arg(long, value_name = "FILE", default_value = "kumo.toml")]
    pub path: PathBuf,

    /// Cost profile the file selects (one line in the file; change it any time)
    #[arg(long, value_enum, default_value_t = InitProfile::Standard)]
    pub profile: InitProfile,

    /// Replace the file if it already exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitProfile {
    /// The seed's sizes: a NAT gateway per AZ, 2-6 m5-class spot nodes, db.t3.medium
    Standard,
    /// Cheap to create and destroy: 1 NAT gateway, 1-2 t3.medium spot nodes, db.t4g.medium, 1-day logs
    Cheap,
}

// ---- deploy engine commands (diff, deploy, destroy, outputs, status) ----

/// Where AWS requests go and as whom. Credentials and the rest come from the standard AWS chain.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// AWS profile from ~/.aws/config or ~/.aws/credentials [default: AWS_PROFILE, else "default"]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region [default: the region in kumo.toml, else AWS_REGION or the profile's region]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Send AWS requests to this endpoint (e.g. a local emulator) [default: AWS_ENDPOINT_URL, else AWS]
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Time limit in seconds for each attempt of an AWS request (1-3600); failed attempts are retried a
    /// bounded number of times (AWS_MAX_ATTEMPTS, default 3), so one request takes at most attempts x
    /// this + 20 s between attempts
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub api_timeout: u64,
}

/// Which stack, from which template.
#[derive(Debug, Args)]
pub struct StackArgs {
    /// Use this CloudFormation template (JSON, or YAML with !Ref-style tags) instead of the kumo project;
    /// needs --stack-name
    #[arg(long, value_name = "FILE", requires = "stack_name")]
    pub template: Option<PathBuf>,

    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    /// Template parameter (repeatable). On an update, parameters not given keep their current value
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Stack tag (repeatable), in addition to kumo.toml's; kumo adds kumo:managed-by=kumo itself
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,

    /// S3 bucket for templates over 51,200 bytes [default: kumo-staging-<account>-<region>, created on
    /// first need: encrypted, public access blocked, objects expire after 1 day]
    #[arg(long, value_name = "NAME")]
    pub staging_bucket: Option<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Stacks to diff [default: all of the app's; the blueprint's DNS and main stacks]
    #[arg(value_name = "STACK", conflicts_with_all = ["template", "stack_name"])]
    pub stacks: Vec<String>,

    #[command(flatten)]
    pub stack: StackArgs,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Diff the stacks of this cloud assembly (a directory with manifest.json and templates) instead of
    /// the kumo project
    #[arg(long, value_name = "DIR", conflicts_with = "template")]
    pub assembly: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Stacks to deploy, with the stacks they depend on [default: all]
    #[arg(value_name = "STACK", conflicts_with_all = ["template", "stack_name"])]
    pub stacks: Vec<String>,

    /// Deploy up to N independent stacks at once (1-16); above 1 needs --yes, since kumo cannot ask about
    /// two stacks' changes at the same time
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub concurrency: u16,

    #[command(flatten)]
    pub stack: StackArgs,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Do not ask: approve security changes and the re-create of a ROLLBACK_COMPLETE stack. Without a
    /// terminal, a deploy that needs approval is refused unless this is given
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// On failure, keep what was created or changed (no rollback), for inspection; `kumo deploy` retries
    #[arg(long)]
    pub no_rollback: bool,

    /// Minutes (1-4320) an update may run before kumo cancels it (CloudFormation rolls it back); a create
    /// past it keeps running and kumo stops with an error. Also limits how long kumo follows an operation
    /// it finds already running
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_MINUTES))]
    pub timeout: Option<u64>,

    /// Turn termination protection on (kumo never turns it off) [default: kumo.toml's setting]
    #[arg(long)]
    pub termination_protection: bool,

    /// Deploy over an existing stack that kumo did not create, and mark it as kumo's from now on
    #[arg(long)]
    pub adopt: bool,

    /// Directory for <Stack>.outputs.json; created if missing (its parent must exist)
    #[arg(long, value_name = "DIR", default_value = "kumo.out")]
    pub out: PathBuf,

    /// Stop after the AWS side: do not install the in-cluster bundle (run `kumo bundle` later)
    #[arg(long)]
    pub no_bundle: bool,

    /// Deploy without the account checks of `kumo preflight` (the local checks still run)
    #[arg(long)]
    pub skip_preflight: bool,

    /// Deploy the stacks of this cloud assembly (a directory with manifest.json and templates, as
    /// `kumo synth --out DIR` writes it) instead of the kumo project, in their dependency order
    #[arg(long, value_name = "DIR", conflicts_with = "template")]
    pub assembly: Option<PathBuf>,

    /// Time-to-live: the stack removes itself (what its controllers left outside it, then the stack)
    /// after this long (30m, 8h, 2d) or at this time (2026-12-01T18:00:00Z), with no kumo running.
    /// Deploys, after the stack, its reaper stack `<stack>-ttl` (a schedule, a state machine, two roles;
    /// the stack's own template is unchanged); `kumo ttl` shows and changes it
    #[arg(long, value_name = "DURATION|TIME")]
    pub ttl: Option<String>,

    /// With a time-to-live: the reaper deletes the cluster's EBS volumes too (they hold data: kept by
    /// default)
    #[arg(long)]
    pub ttl_delete_volumes: bool,

    /// With a time-to-live: send one e-mail to this address an hour before the expiry (SNS; confirm
    /// the subscription AWS sends first) [default: kumo.toml's [stack] ttl_notify]
    #[arg(long, value_name = "ADDRESS")]
    pub ttl_notify: Option<String>,
}

#[derive(Debug, Args)]
pub struct TtlArgs {
    #[command(subcommand)]
    pub action: Option<TtlAction>,

    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME", global = true)]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum TtlAction {
    /// Show the expiry (the default)
    Show,
    /// Move the expiry: DURATION (30m, 8h, 2d) from now, or a TIME (2026-12-01T18:00:00Z)
    Extend {
        #[arg(value_name = "DURATION|TIME")]
        to: String,
    },
    /// Switch the time-to-live off (the schedule is disabled; `kumo ttl extend` switches it on again)
    Off,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// Check for this CloudFormation template (JSON or YAML) instead of the kumo project; needs
    /// --stack-name
    #[arg(long, value_name = "FILE", requires = "stack_name")]
    pub template: Option<PathBuf>,

    /// Stack name [default: the project's stack name]; an existing stack's resources do not count
    /// against quotas again
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    /// Template parameter (repeatable), used where a checked value comes from a parameter
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Stacks to destroy, after the stacks that depend on them [default: all, in reverse deploy order]
    #[arg(value_name = "STACK", conflicts_with = "stack_name")]
    pub stacks: Vec<String>,

    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Do not ask for the stack name to be typed
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Allow deleting a stack that kumo did not create
    #[arg(long)]
    pub adopt: bool,

    /// Keep this resource when retrying the delete of a DELETE_FAILED stack (repeatable)
    #[arg(long, value_name = "LOGICAL_ID")]
    pub retain: Vec<String>,

    /// Also delete the DNS stack and its hosted zone (kept by default, so a rebuild reuses the zone and
    /// its name servers: the domain's delegation stays valid)
    #[arg(long)]
    pub include_dns: bool,

    /// Destroy the stacks of this cloud assembly (a directory with manifest.json) instead of the kumo
    /// project's, in reverse dependency order
    #[arg(long, value_name = "DIR", conflicts_with = "stack_name")]
    pub assembly: Option<PathBuf>,

    /// Only show what would be deleted: the stack, and what it left outside it (load balancers,
    /// security groups, records, interfaces, volumes); change nothing
    #[arg(long)]
    pub plan: bool,

    /// Also delete the EBS volumes made for the cluster (they hold data: kept and listed by default)
    #[arg(long)]
    pub delete_volumes: bool,

    /// How long to wait, in all, for what the stack left outside it to go (load balancers take
    /// minutes; a group stays in use until their interfaces are gone) before stopping with the blocker
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=180))]
    pub sweep_timeout: u64,
}

#[derive(Debug, Args)]
pub struct OutputsArgs {
    /// Stacks whose outputs to print [default: all of the app's; the blueprint's main stack]
    #[arg(value_name = "STACK", conflicts_with = "stack_name")]
    pub stacks: Vec<String>,

    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Print the outputs as JSON (the same shape as <Stack>.outputs.json)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Every region the account has enabled (EC2 DescribeRegions), not only the current one
    #[arg(long)]
    pub all_regions: bool,

    /// Print the environments as JSON: {"environments": [{region, stack, env, status, lastChange,
    /// created, ageSeconds, dnsKept, expires}]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Stacks to show [default: all of the app's; the blueprint's main stack]
    #[arg(value_name = "STACK", conflicts_with = "stack_name")]
    pub stacks: Vec<String>,

    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// How many recent events to show (0-1000)
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub events: u16,
}

#[derive(Debug, Args)]
pub struct KubeconfigArgs {
    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// The kubeconfig file to write [default: the first file of KUBECONFIG, else ~/.kube/config]
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Name of the context [default: the cluster ARN, as `aws eks update-kubeconfig` names it]
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,

    /// Make it the current context [default: only when there is none yet]
    #[arg(long)]
    pub set_current: bool,

    /// Replace a same-named cluster or context that points elsewhere
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// Stack name [default: the project's stack name]
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The EKS cluster's name
    #[arg(long, value_name = "NAME")]
    pub cluster_name: String,

    /// The cluster's region [default: AWS_REGION or the profile's region]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// AWS profile [default: AWS_PROFILE, else "default"]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}
