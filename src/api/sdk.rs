//! The AWS SDK implementation of the API traits.
