#!/usr/bin/env node
// Turns rustdoc's JSON output for one crate into a sorted, one-item-per-line listing of its public
// API. scripts/public-api.sh runs rustdoc and this script; the listings are committed
// (runtime/public-api.txt, schema/public-api.txt) and checked, so every change to the public API
// shows in review.
//
//   node scripts/public-api.js target/doc/tallymark.json
//
// The walk starts at the crate root and follows public modules and `pub use` re-exports, so each
// item is listed under every path a user can name it by. Items rustdoc strips (private ones and
// `#[doc(hidden)]` ones such as `__private`) are not in its output, and hidden items are skipped
// again here in case a format keeps them. One line per item: its kind, its public path and, for
// functions, types and impls, a compact signature. Types in signatures are printed with the public
// path of this crate's items, the canonical path of other crates' items, and the bare name of the
// items of Rust's prelude (`Option`, `String`, `Send`, ...). Trait impls written in the source
// (derives included) are listed; the ones rustdoc synthesizes (auto traits, blanket impls of other
// crates such as `From<T> for T`) are not.
//
// Lines are grouped by item path (a type's members follow it) and have no ids, spans or versions,
// so the output changes only when the API does (or rustdoc's rendering of it).
"use strict";

const fs = require("fs");

// The rustdoc JSON format versions (`format_version`) this script was written and checked for. A
// nightly toolchain with another version fails here: check the listing still renders (the changes
// are in rustdoc-types' changelog), then add the version.
const SUPPORTED_FORMAT_VERSIONS = [57];

const file = process.argv[2];
if (!file || process.argv.length !== 3) {
  console.error("usage: node scripts/public-api.js <crate>.json (rustdoc's --output-format json)");
  process.exit(2);
}
const krate = JSON.parse(fs.readFileSync(file, "utf8"));
if (!SUPPORTED_FORMAT_VERSIONS.includes(krate.format_version)) {
  console.error(
    `${file}: rustdoc JSON format_version ${krate.format_version}, but scripts/public-api.js ` +
      `supports only ${SUPPORTED_FORMAT_VERSIONS.join(", ")}. The nightly toolchain's rustdoc changed ` +
      `its JSON format: check the listing still renders correctly, then add ` +
      `${krate.format_version} to SUPPORTED_FORMAT_VERSIONS.`,
  );
  process.exit(1);
}

const index = krate.index;
const paths = krate.paths;

// Other crates' paths written as the prelude names them.
const PRELUDE = new Map(
  [
    "core::option::Option",
    "core::result::Result",
    "alloc::string::String",
    "alloc::vec::Vec",
    "alloc::boxed::Box",
    "alloc::string::ToString",
    "alloc::borrow::ToOwned",
    "core::marker::Copy",
    "core::marker::Send",
    "core::marker::Sized",
    "core::marker::Sync",
    "core::marker::Unpin",
    "core::clone::Clone",
    "core::default::Default",
    "core::ops::drop::Drop",
    "core::ops::function::Fn",
    "core::ops::function::FnMut",
    "core::ops::function::FnOnce",
    "core::cmp::PartialEq",
    "core::cmp::Eq",
    "core::cmp::PartialOrd",
    "core::cmp::Ord",
    "core::convert::AsRef",
    "core::convert::AsMut",
    "core::convert::From",
    "core::convert::Into",
    "core::convert::TryFrom",
    "core::convert::TryInto",
    "core::iter::traits::iterator::Iterator",
    "core::iter::traits::collect::IntoIterator",
    "core::iter::traits::collect::Extend",
    "core::iter::traits::double_ended::DoubleEndedIterator",
    "core::iter::traits::exact_size::ExactSizeIterator",
  ].map((p) => [p, p.split("::").pop()]),
);

const kindOf = (item) => Object.keys(item.inner)[0];

function isHidden(item) {
  return item.attrs.some((attr) => {
    const text = typeof attr === "string" ? attr : JSON.stringify(attr);
    return /doc\s*\(\s*hidden\s*\)/.test(text);
  });
}

// ---- pass 1: every public path of every reachable item ----------------------------------------

// id -> public paths (a local item re-exported under several names has several).
const publicPaths = new Map();
// [path, id, reexport] for each reachable item; reexport is set for other crates' items.
const reachable = [];

function addPath(id, path) {
  if (!publicPaths.has(id)) publicPaths.set(id, []);
  publicPaths.get(id).push(path);
}

function visit(id, parent, name, seen) {
  const item = index[id];
  if (!item || isHidden(item)) return;
  const kind = kindOf(item);
  if (kind === "use") {
    const use = item.inner.use;
    const target = use.id == null ? undefined : index[use.id];
    if (use.is_glob) {
      if (target && kindOf(target) === "module") visitModule(use.id, parent, seen);
      else if (target && kindOf(target) === "enum") {
        for (const v of target.inner.enum.variants) visit(v, parent, undefined, seen);
      } else reachable.push([`${parent}::*`, null, { kind: "use", source: `${use.source}::*` }]);
      return;
    }
    if (target) return visit(use.id, parent, use.name, seen);
    // An item of another crate: rustdoc has only its path and kind.
    const summary = use.id == null ? undefined : paths[use.id];
    const path = `${parent}::${use.name}`;
    if (use.id != null) addPath(use.id, path);
    reachable.push([path, null, { kind: summary ? summary.kind : "use", source: use.source }]);
    return;
  }
  const path = parent === null ? item.name : `${parent}::${name ?? item.name}`;
  addPath(id, path);
  reachable.push([path, id, null]);
  if (kind === "module") {
    const key = `${id} ${path}`;
    if (seen.has(key)) return; // a module re-exported into itself
    visitModule(id, path, new Set(seen).add(key));
  }
}

function visitModule(id, path, seen) {
  for (const child of index[id].inner.module.items) visit(child, path, undefined, seen);
}

visit(krate.root, null, undefined, new Set());

// The path a type is printed with: the shortest public one (then the first in byte order).
const shortestPath = new Map();
for (const [id, list] of publicPaths) {
  shortestPath.set(
    id,
    [...list].sort((a, b) => a.split("::").length - b.split("::").length || (a < b ? -1 : a > b ? 1 : 0))[0],
  );
}

// ---- the type printer -----------------------------------------------------------------------------

function pathName(id, written) {
  if (shortestPath.has(id)) return shortestPath.get(id);
  const summary = id == null ? undefined : paths[id];
  if (summary) {
    const full = summary.path.join("::");
    return PRELUDE.get(full) ?? full;
  }
  return written.replace(/^\$crate::/, "");
}

function renderPath(p) {
  return pathName(p.id, p.path) + renderArgs(p.args);
}

function renderArgs(args) {
  if (!args) return "";
  if (args === "return_type_notation") return "(..)";
  if (args.angle_bracketed) {
    const parts = args.angle_bracketed.args.map(renderArg);
    for (const c of args.angle_bracketed.constraints) {
      const head = c.name + renderArgs(c.args);
      if (c.binding.equality) parts.push(`${head} = ${renderTerm(c.binding.equality)}`);
      else parts.push(`${head}: ${renderBounds(c.binding.constraint)}`);
    }
    return parts.length ? `<${parts.join(", ")}>` : "";
  }
  if (args.parenthesized) {
    const { inputs, output } = args.parenthesized;
    return `(${inputs.map(renderType).join(", ")})${output ? ` -> ${renderType(output)}` : ""}`;
  }
  throw new Error(`unknown generic args ${JSON.stringify(args)}`);
}

function renderArg(arg) {
  if (arg === "infer") return "_";
  if (arg.lifetime !== undefined) return arg.lifetime;
  if (arg.type !== undefined) return renderType(arg.type);
  if (arg.const !== undefined) return renderConst(arg.const);
  throw new Error(`unknown generic arg ${JSON.stringify(arg)}`);
}

function renderConst(c) {
  return c.expr;
}

function renderTerm(term) {
  if (term.type !== undefined) return renderType(term.type);
  if (term.constant !== undefined) return renderConst(term.constant);
  throw new Error(`unknown term ${JSON.stringify(term)}`);
}

function renderType(t) {
  if (t === null || t === undefined) return "()";
  const [kind] = Object.keys(t);
  const v = t[kind];
  switch (kind) {
    case "primitive":
    case "generic":
      return v;
    case "resolved_path":
      return renderPath(v);
    case "dyn_trait": {
      const parts = v.traits.map((poly) => renderHrtb(poly.generic_params) + renderPath(poly.trait));
      if (v.lifetime) parts.push(v.lifetime);
      return `dyn ${parts.join(" + ")}`;
    }
    case "tuple":
      return v.length === 1 ? `(${renderType(v[0])},)` : `(${v.map(renderType).join(", ")})`;
    case "slice":
      return `[${renderType(v)}]`;
    case "array":
      return `[${renderType(v.type)}; ${v.len}]`;
    case "pat":
      return renderType(v.type);
    case "impl_trait":
      return `impl ${renderBounds(v)}`;
    case "infer":
      return "_";
    case "raw_pointer":
      return `*${v.is_mutable ? "mut" : "const"} ${renderType(v.type)}`;
    case "borrowed_ref":
      return `&${v.lifetime ? `${v.lifetime} ` : ""}${v.is_mutable ? "mut " : ""}${renderType(v.type)}`;
    case "qualified_path": {
      const name = v.name + renderArgs(v.args);
      // `T::Name` for a generic (as written in the source), `<S as Trait>::Name` otherwise.
      if (!v.trait || v.self_type.generic !== undefined) return `${renderType(v.self_type)}::${name}`;
      return `<${renderType(v.self_type)} as ${renderPath(v.trait)}>::${name}`;
    }
    case "function_pointer":
      return renderHrtb(v.generic_params) + renderHeader(v.header) + "fn" + renderSig(v.sig, false);
    default:
      throw new Error(`unknown type ${JSON.stringify(t)}`);
  }
}

function renderBound(b) {
  if (b.trait_bound) {
    const { trait, generic_params, modifier } = b.trait_bound;
    const m = { none: "", maybe: "?", maybe_const: "~const " }[modifier];
    if (m === undefined) throw new Error(`unknown bound modifier ${modifier}`);
    return renderHrtb(generic_params) + m + renderPath(trait);
  }
  if (b.outlives !== undefined) return b.outlives;
  if (b.use !== undefined) {
    const args = b.use.map((a) => (typeof a === "string" ? a : a.lifetime ?? a.param));
    return `use<${args.join(", ")}>`;
  }
  throw new Error(`unknown bound ${JSON.stringify(b)}`);
}

function renderBounds(bounds) {
  return bounds.map(renderBound).join(" + ");
}

function renderParam(p) {
  const k = p.kind;
  if (k.lifetime) return p.name + (k.lifetime.outlives.length ? `: ${k.lifetime.outlives.join(" + ")}` : "");
  if (k.type) {
    let s = p.name;
    if (k.type.bounds.length) s += `: ${renderBounds(k.type.bounds)}`;
    if (k.type.default) s += ` = ${renderType(k.type.default)}`;
    return s;
  }
  if (k.const) return `const ${p.name}: ${renderType(k.const.type)}${k.const.default ? ` = ${k.const.default}` : ""}`;
  throw new Error(`unknown generic param ${JSON.stringify(p)}`);
}

// `impl Trait` arguments appear as synthetic type parameters too; they are printed in place.
function renderParams(params) {
  const shown = params.filter((p) => !(p.kind.type && p.kind.type.is_synthetic));
  return shown.length ? `<${shown.map(renderParam).join(", ")}>` : "";
}

function renderHrtb(params) {
  return params && params.length ? `for${renderParams(params)} ` : "";
}

function renderWhere(generics) {
  const preds = generics.where_predicates.map((w) => {
    if (w.bound_predicate) {
      const { type, bounds, generic_params } = w.bound_predicate;
      return `${renderHrtb(generic_params)}${renderType(type)}: ${renderBounds(bounds)}`;
    }
    if (w.lifetime_predicate) return `${w.lifetime_predicate.lifetime}: ${w.lifetime_predicate.outlives.join(" + ")}`;
    if (w.eq_predicate) return `${renderType(w.eq_predicate.lhs)} = ${renderTerm(w.eq_predicate.rhs)}`;
    throw new Error(`unknown where predicate ${JSON.stringify(w)}`);
  });
  return preds.length ? ` where ${preds.join(", ")}` : "";
}

function renderHeader(h) {
  let s = "";
  if (h.is_const) s += "const ";
  if (h.is_async) s += "async ";
  if (h.is_unsafe) s += "unsafe ";
  if (h.abi !== "Rust") s += `extern "${renderAbi(h.abi)}" `;
  return s;
}

// "Rust", {"C": {"unwind": false}}, {"System": {"unwind": true}}, {"Other": "efiapi"}, ...
function renderAbi(abi) {
  if (typeof abi === "string") return abi;
  const [name] = Object.keys(abi);
  if (name === "Other") return abi.Other;
  const base = name === "C" ? "C" : name.toLowerCase();
  return abi[name] && abi[name].unwind ? `${base}-unwind` : base;
}

function renderInput([name, type]) {
  if (name === "self") {
    if (type.generic === "Self") return "self";
    const r = type.borrowed_ref;
    if (r && r.type.generic === "Self") return `&${r.lifetime ? `${r.lifetime} ` : ""}${r.is_mutable ? "mut " : ""}self`;
  }
  return `${name}: ${renderType(type)}`;
}

function renderSig(sig, named = true) {
  const inputs = sig.inputs.map((input) => (named ? renderInput(input) : renderType(input[1])));
  if (sig.is_c_variadic) inputs.push("...");
  return `(${inputs.join(", ")})${sig.output ? ` -> ${renderType(sig.output)}` : ""}`;
}

function renderFn(path, f) {
  const { header, generics, sig } = f;
  return `${renderHeader(header)}fn ${path}${renderParams(generics.params)}${renderSig(sig)}${renderWhere(generics)}`;
}

// ---- pass 2: the lines -------------------------------------------------------------------------

// line -> sort key: the path of the item the line belongs to, then the item itself before its
// fields and variants, its associated items (by name) and its impls.
const lines = new Map();
const ITEM = 0;
const FIELD = 1;
const MEMBER = 2;
const IMPL = 3;
function emit(owner, line, rank = ITEM, member = "") {
  const key = `${owner}\0${rank}\0${member}`;
  if (!lines.has(line) || key < lines.get(line)) lines.set(line, key);
}

const KIND_NAMES = {
  module: "mod",
  function: "fn",
  constant: "const",
  type_alias: "type",
  proc_derive: "derive",
  struct_field: "field",
};

function nonExhaustive(item) {
  const marked = item.attrs.some((a) => a === "non_exhaustive" || (a && a.non_exhaustive !== undefined));
  return marked ? "#[non_exhaustive] " : "";
}

function fieldLines(owner, ids) {
  ids.forEach((id, position) => {
    if (id === null) return; // a private tuple field
    const field = index[id];
    if (!field || isHidden(field)) return;
    const name = /^\d+$/.test(field.name) ? String(position) : field.name;
    emit(owner, `field ${owner}::${name}: ${renderType(field.inner.struct_field)}`, FIELD);
  });
}

function structShape(kind, ownerPath) {
  if (kind === "unit") return "";
  if (kind.tuple) {
    fieldLines(ownerPath, kind.tuple);
    return kind.tuple.some((f) => f === null) ? "(..)" : "";
  }
  const { fields, has_stripped_fields } = kind.plain ?? kind.struct ?? {};
  fieldLines(ownerPath, fields);
  return has_stripped_fields ? " { .. }" : "";
}

function variantLine(owner, item) {
  const v = item.inner.variant;
  let shape = "";
  if (v.kind !== "plain") {
    const fieldType = (id) => renderType(index[id].inner.struct_field);
    if (v.kind.tuple) {
      shape = `(${v.kind.tuple.map((id) => (id === null ? "_" : fieldType(id))).join(", ")})`;
    } else {
      const fields = v.kind.struct.fields.map((id) => `${index[id].name}: ${fieldType(id)}`);
      if (v.kind.struct.has_stripped_fields) fields.push("..");
      shape = ` { ${fields.join(", ")} }`;
    }
  }
  const discriminant = v.discriminant ? ` = ${v.discriminant.expr}` : "";
  emit(owner, `variant ${owner}::${item.name}${shape}${discriminant}`, FIELD);
}

// An associated item of a trait (declaration) or of an inherent impl (definition).
function assocLine(owner, item, context = "") {
  if (!item || isHidden(item)) return;
  const kind = kindOf(item);
  const path = `${owner}::${item.name}`;
  const v = item.inner[kind];
  if (kind === "function") emit(owner, renderFn(path, v) + context, MEMBER, item.name);
  else if (kind === "assoc_const") {
    emit(owner, `assoc_const ${path}: ${renderType(v.type)}${context}`, MEMBER, item.name);
  } else if (kind === "assoc_type") {
    let s = `assoc_type ${path}${renderParams(v.generics.params)}`;
    if (v.bounds.length) s += `: ${renderBounds(v.bounds)}`;
    if (v.type) s += ` = ${renderType(v.type)}`;
    emit(owner, s + renderWhere(v.generics) + context, MEMBER, item.name);
  } else throw new Error(`unknown associated item kind ${kind} at ${path}`);
}

// `impl<'a, T> Type<'a, T>`: generic over exactly the type's parameters, with no bounds.
function isPlainImpl(impl) {
  const { params, where_predicates } = impl.generics;
  if (where_predicates.length) return false;
  const path = impl.for.resolved_path;
  if (!path) return false;
  const angle = path.args ? path.args.angle_bracketed : { args: [], constraints: [] };
  if (!angle || angle.constraints.length || angle.args.length !== params.length) return false;
  return params.every(({ name, kind }, i) => {
    const arg = angle.args[i];
    if (kind.lifetime) return kind.lifetime.outlives.length === 0 && arg.lifetime === name;
    if (kind.type) return kind.type.bounds.length === 0 && arg.type !== undefined && arg.type.generic === name;
    return false;
  });
}

// The impl blocks of a type, or the implementations of a trait. Inherent impls list their items;
// trait impls are one line each, with their associated types.
function implLines(owner, implIds) {
  for (const id of implIds) {
    const item = index[id];
    if (!item || isHidden(item)) continue;
    const impl = item.inner.impl;
    if (impl.is_synthetic || impl.blanket_impl) continue;
    const head = `${impl.is_unsafe ? "unsafe " : ""}impl${renderParams(impl.generics.params)} `;
    if (!impl.trait) {
      // The bounds and type arguments of an inherent impl limit where its items exist, so the items
      // of an impl that has any name it.
      const header = `${head}${renderType(impl.for)}${renderWhere(impl.generics)}`;
      const context = isPlainImpl(impl) ? "" : ` [in ${header}]`;
      for (const member of impl.items) assocLine(owner, index[member], context);
      continue;
    }
    // Derived with `PartialEq`, always with it, and unstable: an implementation detail.
    if (pathName(impl.trait.id, impl.trait.path) === "core::marker::StructuralPartialEq") continue;
    const types = impl.items
      .map((m) => index[m])
      .filter((m) => m && kindOf(m) === "assoc_type")
      .map(({ name, inner: { assoc_type: t } }) => `type ${name}${renderParams(t.generics.params)} = ${renderType(t.type)};`)
      .sort();
    const trait = `${impl.is_negative ? "!" : ""}${renderPath(impl.trait)}`;
    const body = types.length ? ` { ${types.join(" ")} }` : "";
    emit(owner, `${head}${trait} for ${renderType(impl.for)}${renderWhere(impl.generics)}${body}`, IMPL);
  }
}

for (const [path, id, reexport] of reachable) {
  if (id === null) {
    emit(path, `${KIND_NAMES[reexport.kind] ?? reexport.kind} ${path} (re-export of ${reexport.source})`);
    continue;
  }
  const item = index[id];
  const kind = kindOf(item);
  const v = item.inner[kind];
  switch (kind) {
    case "module":
      emit(path, `mod ${path}`);
      break;
    case "struct":
    case "union": {
      const shape = kind === "union" ? structShape({ plain: v }, path) : structShape(v.kind, path);
      const generics = `${renderParams(v.generics.params)}${shape}${renderWhere(v.generics)}`;
      emit(path, `${nonExhaustive(item)}${kind} ${path}${generics}`);
      implLines(path, v.impls);
      break;
    }
    case "enum": {
      const generics = `${renderParams(v.generics.params)}${renderWhere(v.generics)}`;
      emit(path, `${nonExhaustive(item)}enum ${path}${generics}${v.has_stripped_variants ? " { .. }" : ""}`);
      for (const variant of v.variants) {
        if (index[variant] && !isHidden(index[variant])) variantLine(path, index[variant]);
      }
      implLines(path, v.impls);
      break;
    }
    case "trait": {
      const flags = `${v.is_unsafe ? "unsafe " : ""}${v.is_auto ? "auto " : ""}`;
      const supertraits = v.bounds.length ? `: ${renderBounds(v.bounds)}` : "";
      emit(path, `${flags}trait ${path}${renderParams(v.generics.params)}${supertraits}${renderWhere(v.generics)}`);
      for (const member of v.items) assocLine(path, index[member]);
      implLines(path, v.implementations);
      break;
    }
    case "trait_alias":
      emit(path, `trait_alias ${path}${renderParams(v.generics.params)} = ${renderBounds(v.params)}${renderWhere(v.generics)}`);
      break;
    case "function":
      emit(path, renderFn(path, v));
      break;
    case "constant":
      emit(path, `const ${path}: ${renderType(v.type)}`);
      break;
    case "static":
      emit(path, `static ${v.is_mutable ? "mut " : ""}${path}: ${renderType(v.type)}`);
      break;
    case "type_alias":
      emit(path, `type ${path}${renderParams(v.generics.params)} = ${renderType(v.type)}${renderWhere(v.generics)}`);
      break;
    case "macro":
      emit(path, `macro ${path}`);
      break;
    case "proc_macro": {
      const name = { bang: "macro", attr: "proc_attribute", derive: "derive" }[v.kind];
      const helpers = v.helpers.length ? ` (helper attributes: ${v.helpers.join(", ")})` : "";
      emit(path, `${name} ${path}${helpers}`);
      break;
    }
    case "extern_crate":
      emit(path, `extern crate ${path} (${v.name})`);
      break;
    case "primitive":
    case "keyword":
    case "attribute":
      break; // documentation pages, not API
    default:
      throw new Error(`unknown item kind ${kind} at ${path}`);
  }
}

const byteOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = [...lines].sort(([la, ka], [lb, kb]) => byteOrder(ka, kb) || byteOrder(la, lb));
process.stdout.write(sorted.map(([line]) => `${line}\n`).join(""));
