//! The Kubernetes and Aurora PostgreSQL versions `kumo.toml` accepts.
//!
//! Both lists are data, checked by hand against published sources on [`VERSIONS_CHECKED`]; update them
//! (and that date) together. Support status is computed from the dates *relative to that date*, never
//! from the clock: synthesis must give the same answer tomorrow as today.

use std::fmt;

/// A calendar date (UTC), enough for support windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub const fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The day both lists below were last checked against AWS's calendars and cfn-lint's data.
pub const VERSIONS_CHECKED: Date = Date::new(2026, 11, 25);

/// A version whose extended support ends within this many days of [`VERSIONS_CHECKED`] counts as
/// retired: a cluster created on it would be force-upgraded almost at once.
const RETIREMENT_MARGIN_DAYS: i64 = 30;

/// Standard support ending within this many days of [`VERSIONS_CHECKED`] earns a warning.
const STANDARD_SUPPORT_ENDING_DAYS: i64 = 60;

/// One Kubernetes minor version on Amazon EKS with its support window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EksVersion {
    pub version: &'static str,
    /// After this day the version is in extended support, billed at $0.60 per cluster-hour instead of $0.10.
    pub end_of_standard_support: Date,
    /// After this day EKS creates no new clusters on the version and upgrades existing ones.
    pub end_of_extended_support: Date,
}

/// Where a Kubernetes version stands on EKS on [`VERSIONS_CHECKED`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubernetesSupport {
    /// In standard support: the normal control-plane price.
    Standard,
    /// Past standard support: clusters can still be created, at the extended-support price.
    Extended,
    /// Past (or about to leave) extended support: kumo refuses it.
    Retired,
}

impl EksVersion {
    pub fn support(&self) -> KubernetesSupport {
        let today = VERSIONS_CHECKED.days_since_epoch();
        if today < self.end_of_standard_support.days_since_epoch() {
            KubernetesSupport::Standard
        } else if self.end_of_extended_support.days_since_epoch() - today > RETIREMENT_MARGIN_DAYS {
            KubernetesSupport::Extended
        } else {
            KubernetesSupport::Retired
        }
    }

    /// True when standard support ends soon after [`VERSIONS_CHECKED`] (worth a warning).
    pub fn standard_support_ending_soon(&self) -> bool {
        let left = self.end_of_standard_support.days_since_epoch() - VERSIONS_CHECKED.days_since_epoch();
        (0..=STANDARD_SUPPORT_ENDING_DAYS).contains(&left)
    }
}

/// Kubernetes versions on Amazon EKS, newest first. Sources: the EKS user guide's release calendar
/// ("Understand the Kubernetes version lifecycle on EKS") for 1.29–1.35; for 1.36 (EKS release
/// 2026-06-02) the dates follow EKS's fixed rule of 14 months standard + 12 months extended support.
/// Versions older than 1.29 ended extended support before 2026 and are simply unknown here.
pub const EKS_VERSIONS: &[EksVersion] = &[
    eks("1.36", Date::new(2027, 8, 2), Date::new(2028, 8, 2)),
    eks("1.35", Date::new(2027, 3, 27), Date::new(2028, 3, 27)),
    eks("1.34", Date::new(2026, 12, 2), Date::new(2027, 12, 2)),
    eks("1.33", Date::new(2026, 7, 29), Date::new(2027, 7, 29)),
    eks("1.32", Date::new(2026, 3, 23), Date::new(2027, 3, 23)),
    eks("1.31", Date::new(2025, 11, 26), Date::new(2026, 11, 26)),
    eks("1.30", Date::new(2025, 7, 23), Date::new(2026, 7, 23)),
    eks("1.29", Date::new(2025, 3, 23), Date::new(2026, 3, 23)),
];

const fn eks(version: &'static str, end_of_standard_support: Date, end_of_extended_support: Date) -> EksVersion {
    EksVersion {
        version,
        end_of_standard_support,
        end_of_extended_support,
    }
}

/// The EKS entry for `version`, if kumo knows it.
pub fn eks_version(version: &str) -> Option<&'static EksVersion> {
    EKS_VERSIONS.iter().find(|v| v.version == version)
}

/// Aurora PostgreSQL engine versions kumo accepts for `database.engine_version`: the
/// `aurora-postgresql` enum of cfn-lint 1.58.0 (`data/schemas/extensions/aws_rds_dbcluster/
/// engine_version.json`), restricted to the current majors 14–18, without the `-limitless` variants
/// (Aurora Limitless Database is a different deployment) and without the versions cfn-lint marks
/// deprecated (`engine_version_deprecated.json`), so the template passes cfn-lint with no warning.
/// A major alone ("17") lets RDS pick that major's default minor. The test suite recomputes this list
/// from the pinned cfn-lint and fails if it drifts.
pub const AURORA_POSTGRES_VERSIONS: &[&str] = &[
    "14.6", "14.17", "14.18", "14.19", "14.20", "14.22", "14.23", "14.24", //
    "15.10", "15.12", "15.13", "15.14", "15.15", "15.17", "15.18", "15.19", //
    "16.8", "16.9", "16.10", "16.11", "16.13", "16.14", "16.15", //
    "17", "17.4", "17.5", "17.6", "17.7", "17.9", "17.10", "17.11", //
    "18", "18.3", "18.4", "18.6",
];

/// Every EC2 instance type cfn-lint 1.58.0 knows in at least one region
/// (`aws_ec2_instance/instancetype_enum.json`), one per line, sorted. An instance type outside it does
/// not exist (or is newer than the pinned data), and a node group with it fails minutes into the create.
/// The test suite recomputes this list from the pinned cfn-lint and fails if it drifts.
pub const EC2_INSTANCE_TYPES: &str = include_str!("ec2_instance_types.txt");

/// Whether `name` is in [`EC2_INSTANCE_TYPES`].
pub fn is_known_instance_type(name: &str) -> bool {
    EC2_INSTANCE_TYPES.lines().any(|known| known == name)
}

/// Known instance types that differ from `name` only in size or by one edit, for "did you mean".
pub fn similar_instance_types(name: &str) -> Vec<&'static str> {
    let family = name.split('.').next().unwrap_or_default();
    let same_family: Vec<&str> = EC2_INSTANCE_TYPES
        .lines()
        .filter(|known| known.split('.').next() == Some(family))
        .collect();
    if !same_family.is_empty() {
        return same_family;
    }
    let size = name.split_once('.').map_or("", |(_, size)| size);
    EC2_INSTANCE_TYPES
        .lines()
        .filter(|known| known.ends_with(&format!(".{size}")))
        .filter(|known| {
            let other = known.split('.').next().unwrap_or_default();
            other.len().abs_diff(family.len()) <= 1
                && other.chars().zip(family.chars()).filter(|(a, b)| a != b).count() <= 1
        })
        .take(8)
        .collect()
}

/// Instance classes cfn-lint 1.58.0 lists for `aurora-postgresql` in at least one region
/// (`aws_rds_dbinstance/dbinstanceclass_enum.json`). A class outside this list is only warned about:
/// AWS adds classes faster than the list is updated.
pub const AURORA_POSTGRES_INSTANCE_CLASSES: &[&str] = &[
    "db.r4.large",
    "db.r4.xlarge",
    "db.r4.2xlarge",
    "db.r4.4xlarge",
    "db.r4.8xlarge",
    "db.r4.16xlarge", //
    "db.r5.large",
    "db.r5.xlarge",
    "db.r5.2xlarge",
    "db.r5.4xlarge",
    "db.r5.8xlarge",
    "db.r5.12xlarge", //
    "db.r5.16xlarge",
    "db.r5.24xlarge", //
    "db.r6g.large",
    "db.r6g.xlarge",
    "db.r6g.2xlarge",
    "db.r6g.4xlarge",
    "db.r6g.8xlarge",
    "db.r6g.12xlarge", //
    "db.r6g.16xlarge", //
    "db.r6gd.xlarge",
    "db.r6gd.2xlarge",
    "db.r6gd.4xlarge",
    "db.r6gd.8xlarge",
    "db.r6gd.12xlarge", //
    "db.r6gd.16xlarge", //
    "db.r6i.large",
    "db.r6i.xlarge",
    "db.r6i.2xlarge",
    "db.r6i.4xlarge",
    "db.r6i.8xlarge",
    "db.r6i.12xlarge", //
    "db.r6i.16xlarge",
    "db.r6i.24xlarge",
    "db.r6i.32xlarge", //
    "db.r6id.24xlarge",
    "db.r6id.32xlarge", //
    "db.r7g.large",
    "db.r7g.xlarge",
    "db.r7g.2xlarge",
    "db.r7g.4xlarge",
    "db.r7g.8xlarge",
    "db.r7g.12xlarge", //
    "db.r7g.16xlarge", //
    "db.r7i.large",
    "db.r7i.xlarge",
    "db.r7i.2xlarge",
    "db.r7i.4xlarge",
    "db.r7i.8xlarge",
    "db.r7i.12xlarge", //
    "db.r7i.16xlarge",
    "db.r7i.24xlarge",
    "db.r7i.48xlarge", //
    "db.r8a.large",
    "db.r8a.xlarge",
    "db.r8a.2xlarge",
    "db.r8a.4xlarge",
    "db.r8a.8xlarge",
    "db.r8a.12xlarge", //
    "db.r8a.16xlarge",
    "db.r8a.24xlarge",
    "db.r8a.48xlarge", //
    "db.r8g.large",
    "db.r8g.xlarge",
    "db.r8g.2xlarge",
    "db.r8g.4xlarge",
    "db.r8g.8xlarge",
    "db.r8g.12xlarge", //
    "db.r8g.16xlarge",
    "db.r8g.24xlarge",
    "db.r8g.48xlarge", //
    "db.r8gd.xlarge",
    "db.r8gd.2xlarge",
    "db.r8gd.4xlarge",
    "db.r8gd.8xlarge",
    "db.r8gd.12xlarge", //
    "db.r8gd.16xlarge",
    "db.r8gd.24xlarge",
    "db.r8gd.48xlarge", //
    "db.serverless",    //
    "db.t3.small",
    "db.t3.medium",
    "db.t3.large",
    "db.t3.xlarge",
    "db.t3.2xlarge", //
    "db.t4g.medium",
    "db.t4g.large",
    "db.t4g.xlarge",
    "db.t4g.2xlarge", //
    "db.x2g.large",
    "db.x2g.xlarge",
    "db.x2g.2xlarge",
    "db.x2g.4xlarge",
    "db.x2g.8xlarge",
    "db.x2g.12xlarge", //
    "db.x2g.16xlarge",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_like_the_calendar() {
        assert_eq!(Date::new(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(
            Date::new(2026, 11, 25).days_since_epoch() - Date::new(2026, 10, 26).days_since_epoch(),
            30
        );
        assert_eq!(
            Date::new(2028, 3, 1).days_since_epoch() - Date::new(2028, 2, 28).days_since_epoch(),
            2
        );
        assert_eq!(Date::new(2026, 12, 2).to_string(), "2026-12-02");
    }

    #[test]
    fn support_status_follows_the_dates() {
        let status = |v: &str| eks_version(v).unwrap().support();
        assert_eq!(status("1.36"), KubernetesSupport::Standard);
        assert_eq!(status("1.35"), KubernetesSupport::Standard);
        assert_eq!(status("1.34"), KubernetesSupport::Standard);
        assert!(eks_version("1.34").unwrap().standard_support_ending_soon());
        assert!(!eks_version("1.36").unwrap().standard_support_ending_soon());
        assert_eq!(status("1.33"), KubernetesSupport::Extended);
        assert_eq!(status("1.32"), KubernetesSupport::Extended);
        // Extended support ends the day after the list was checked: too late to create a cluster on it.
        assert_eq!(status("1.31"), KubernetesSupport::Retired);
        assert_eq!(status("1.30"), KubernetesSupport::Retired);
        assert_eq!(EKS_VERSIONS[0].version, "1.36", "the newest version comes first");
    }

    #[test]
    fn lists_are_sorted_and_unique() {
        let numeric = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap()).collect::<Vec<_>>();
        let aurora: Vec<_> = AURORA_POSTGRES_VERSIONS.iter().map(|v| numeric(v)).collect();
        assert!(
            aurora.windows(2).all(|w| w[0] < w[1]),
            "Aurora versions ascending and unique"
        );
        let eks: Vec<_> = EKS_VERSIONS.iter().map(|v| numeric(v.version)).collect();
        assert!(
            eks.windows(2).all(|w| w[0] > w[1]),
            "EKS versions descending and unique"
        );
        let mut classes = AURORA_POSTGRES_INSTANCE_CLASSES.to_vec();
        classes.sort_unstable();
        classes.dedup();
        assert_eq!(
            classes.len(),
            AURORA_POSTGRES_INSTANCE_CLASSES.len(),
            "instance classes unique"
        );
    }
}
