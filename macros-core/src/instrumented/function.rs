//! The function an attribute is put on, parsed only as far as the attributes read it.
//!
//! Its attributes, visibility and signature are parsed; its body stays the tokens it was written
//! as, since every expansion moves it whole into a block of its own. Parsing the statements
//! would cost every build of the user's crate (a proc macro runs again at each one, unoptimised
//! in Cargo's default profiles) for nothing, and a syntax error in them would be syn's rather
//! than the compiler's, which reports it at the user's token either way.

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
    braces: token::Brace,
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

impl Body {
    /// `tokens` as this body's content: in its braces (an item that looks macro-made would escape
    /// lints such as `dead_code`) and after its inner attributes, which apply to the function
    /// wherever its statements go.
    pub fn enclosing(&self, tokens: TokenStream) -> TokenStream {
        let inner_attrs = &self.inner_attrs;
        let mut body = TokenStream::new();
        self.braces.surround(&mut body, |body| {
            body.extend(quote!(#(#inner_attrs)* #tokens))
        });
        body
    }
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Function {
            attrs,
            vis,
            sig,
            body,
        } = self;
        tokens.extend(quote!(#(#attrs)* #vis #sig));
        tokens.extend(body.enclosing(body.stmts.clone()));
    }
}
