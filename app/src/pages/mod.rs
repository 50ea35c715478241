//! One module per route, each with the server functions its forms call.

pub mod dashboard;
pub mod home;
pub mod login;
pub mod photo;
pub mod signup;
