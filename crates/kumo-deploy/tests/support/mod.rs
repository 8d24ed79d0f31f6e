//! Shared by the recorded-response tests: a CloudFormation replayed from recorded timelines, a recording
//! UI, and the recorded sequences themselves.

#![allow(dead_code)]

pub mod recorder;
pub mod timelines;
pub mod world;

use std::sync::Arc;

use kumo_deploy::template::{Syntax, TemplateDoc};
use kumo_deploy::{Engine, Interrupt};

use world::Shared;

/// An engine on the simulated CloudFormation, sharing the world's manual clock.
pub fn engine(world: &Shared, first: &[aws_smithy_mocks::Rule]) -> Engine {
    let clock = world.lock().unwrap().clock.clone();
    Engine::new(world::client(world, first))
        .with_clock(Arc::new(clock))
        .with_interrupt(Interrupt::new())
}

pub fn template(json: &str) -> TemplateDoc {
    TemplateDoc::parse(json, "template.json", Syntax::Json).expect("valid test template")
}
