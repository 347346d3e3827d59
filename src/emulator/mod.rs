//! A local emulator of the AgentCore Control gateway API.
