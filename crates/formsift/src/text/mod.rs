//! Text primitives shared by every stage: source lines, the clean and
//! folded views of a text, numbers. They know nothing of forms or
//! templates; every other module may use them.

pub mod lines;
pub mod normalize;
pub mod numbers;
