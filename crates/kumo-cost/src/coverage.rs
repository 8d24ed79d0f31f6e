//! Which prices the blueprint can need: every SKU of the standard and the cheap profile's templates,
//! every instance type either profile allows, both profiles' Aurora classes, and the EKS
//! extended-support rate (a configuration may pick a version past standard support). The committed
//! table must have an entry — a price or an explicit "unknown" — for each of them in each region, and
//! `cargo xtask prices` fetches exactly these.

use kumo_blueprint::{Config, Profile};

use crate::Sku;

/// The blueprint's SKUs, sorted. Synthesizes both profiles' templates (pure, a few milliseconds).
pub fn blueprint_skus() -> Vec<Sku> {
    let mut skus = vec![Sku::EksExtendedSupportHour];
    for profile in Profile::ALL {
        let config = Config::for_profile(*profile);
        let template = kumo_blueprint::build(&config)
            .synth()
            .unwrap_or_else(|e| panic!("the {profile} blueprint does not synthesize (a kumo bug): {e}"));
        let value: serde_json::Value =
            serde_json::from_str(&template.to_json()).expect("a synthesized template is JSON");
        skus.extend(crate::required_skus(&value, &[], "us-east-1").expect("a synthesized template is a template"));
        for instance_type in &config.eks.node_group.instance_types {
            skus.push(Sku::Ec2Instance(instance_type.clone()));
            skus.push(Sku::SpotSavings(instance_type.clone()));
        }
        skus.push(Sku::AuroraInstance {
            engine: "aurora-postgresql".to_owned(),
            class: config.database.instance_class.clone(),
            io_optimized: false,
        });
    }
    skus.sort();
    skus.dedup();
    skus
}
