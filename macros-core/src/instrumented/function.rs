//! The function an attribute is put on, parsed only as far as the attributes read it.
//!
//! Its attributes, visibility and signature are parsed; its body's statements stay the tokens
//! they were written as, and are written back as they were. Parsing them would only cost time at
//! every build of the user's crate (a proc macro runs again at each one, unoptimised in Cargo's
//! default profiles); a syntax error in them is the compiler's, at the user's token.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{braced, token, Attribute, Signature, Visibility};

/// An `fn` item: everything before its body parsed, the body as written.
pub struct Function {
    /// Its outer attributes (`#[...]` before it).
    pub attrs: Vec<Attribute>,
    /// Its visibility.
    pub vis: Visibility,
    /// Its signature, up to its body.
    pub sig: Signature,
    /// Its body.
    pub body: Body,
}

/// A function's body: the inner attributes at its start (`#![...]`), then its statements.
pub struct Body {
    /// The braces, whose span the generated body keeps (an item that looks macro-made would
    /// escape lints such as `dead_code`).
    braces: token::Brace,
    /// Its inner attributes, which apply to the whole function.
    inner_attrs: Vec<Attribute>,
    /// The statements, as written.
    pub stmts: TokenStream,
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let braces = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts = content.parse()?;
        Ok(Function {
            attrs,
            vis,
            sig,
            body: Body {
                braces,
                inner_attrs,
                stmts,
            },
        })
    }
}

impl Function {
    /// The function with `statements` as its body's, after its inner attributes, which apply to
    /// the function wherever its own statements go.
    pub fn with_body(&self, statements: &TokenStream) -> TokenStream {
        let Function {
            attrs,
            vis,
            sig,
            body,
        } = self;
        let inner_attrs = &body.inner_attrs;
        let mut braced = TokenStream::new();
        body.braces.surround(&mut braced, |braced| {
            braced.extend(quote!(#(#inner_attrs)* #statements));
        });
        quote!(#(#attrs)* #vis #sig #braced)
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.with_body(&self.body.stmts));
    }
}
