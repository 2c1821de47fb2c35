//! The formula language of `family = "expr"` scenarios: lexer, parser and a compiled,
//! hash-consed straight-line program evaluated over any scalar.
