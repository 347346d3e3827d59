//! SDK types to and from the model.
