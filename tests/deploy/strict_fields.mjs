// Unknown-field check for Kubernetes objects, from the TypeScript
// declarations that kubernetes-models ships next to its validators.
//
// Why: the models' .validate() checks types, enums and required fields, but
// lets unknown fields through (the Kubernetes OpenAPI schemas do not close
// objects). A misspelt field (readOnlyRootFileSystem, publishNotReadyAddress)
// would then pass validation and be dropped or refused by the API server
// (kubectl applies with --validate=strict by default). The .d.ts files list
// every field of every type, so they are the closed schema we need.
//
// Only the subset of TypeScript those generated files use is understood:
// interfaces of quoted properties whose types are primitives, literal
// unions, named interfaces, Array<T>, inline object types and
// { [key: string]: T } maps. Anything else is treated as "any value" (not
// checked further), never as an error.
import fs from "node:fs";
import path from "node:path";

const PRIMITIVES = new Set([
  "string", "number", "boolean", "any", "unknown", "object", "null",
  "undefined", "never",
]);

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") walk(p, out);
    } else if (entry.name.endsWith(".d.ts")) {
      out.push(p);
    }
  }
  return out;
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

// Calls visit(c, i) for each character of `text` from `from` that is
// outside quotes, with "=>" arrows skipped; stops early when visit returns
// a value other than undefined, and returns it.
function scanCode(text, from, visit) {
  let quote = null;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === ">" && text[i - 1] === "=") continue; // "=>"
    else {
      const r = visit(c, i);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

// Index of the character closing the bracket at `open`.
function matching(text, open) {
  const pairs = { "{": "}", "<": ">", "(": ")", "[": "]" };
  const stack = [];
  const r = scanCode(text, open, (c, i) => {
    if (pairs[c]) stack.push(pairs[c]);
    else if ("}>)]".includes(c)) {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
    return undefined;
  });
  return r ?? -1;
}

// Splits `text` at `sep` characters that are outside brackets and quotes.
function splitTop(text, seps) {
  const parts = [];
  let depth = 0;
  let start = 0;
  scanCode(text, 0, (c, i) => {
    if ("{<([".includes(c)) depth++;
    else if ("}>)]".includes(c)) depth--;
    else if (depth === 0 && seps.includes(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    return undefined;
  });
  parts.push(text.slice(start));
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

// Body of an interface or inline object type -> {fields, index, open}.
function parseMembers(body) {
  const fields = new Map();
  let index = null;
  let open = false;
  for (const member of splitTop(body, [";", ","])) {
    let m = member.match(/^"([^"]+)"\??\s*:\s*([\s\S]+)$/) ||
      member.match(/^([A-Za-z_$][\w$]*)\??\s*:\s*([\s\S]+)$/);
    if (m) {
      fields.set(m[1], parseType(m[2]));
      continue;
    }
    m = member.match(/^\[\s*\w+\s*:\s*string\s*\]\s*:\s*([\s\S]+)$/);
    if (m) {
      index = parseType(m[1]);
      continue;
    }
    open = true; // a method or something else we do not model
  }
  return { fields, index, open };
}

function parseType(raw) {
  const t = raw.trim();
  if (splitTop(t, ["|"]).length > 1) return { any: true };
  if (t.startsWith("Array<") && matching(t, 5) === t.length - 1) {
    return { array: parseType(t.slice(6, -1)) };
  }
  if (t.endsWith("[]") && /^[\w$]+\[\]$/.test(t)) {
    return { array: parseType(t.slice(0, -2)) };
  }
  if (t.startsWith("{") && matching(t, 0) === t.length - 1) {
    const { fields, index, open } = parseMembers(t.slice(1, -1));
    if (fields.size === 0 && index) return { map: index };
    return { object: fields, index, open };
  }
  if (/^[A-Za-z_$][\w$]*$/.test(t)) {
    return PRIMITIVES.has(t) ? { any: true } : { ref: t };
  }
  return { any: true };
}

export class StrictFields {
  // packageDirs: the directories of the model packages (kubernetes-models,
  // @kubernetes-models/*).
  constructor(packageDirs) {
    this.raw = new Map(); // global type name -> {body, extends}
    this.scalars = new Set();
    this.resolved = new Map();
    this.fileCache = new Map();
    for (const dir of packageDirs) {
      for (const file of walk(dir, [])) this.indexFile(file);
    }
  }

  readInterfaces(file) {
    if (this.fileCache.has(file)) return this.fileCache.get(file);
    const text = stripComments(fs.readFileSync(file, "utf8"));
    const interfaces = new Map();
    const re = /export\s+interface\s+([\w$]+)(?:<[^>{]*>)?(\s+extends\s+[^{]+)?\s*\{/g;
    let m;
    while ((m = re.exec(text))) {
      const open = re.lastIndex - 1;
      const close = matching(text, open);
      if (close < 0) continue;
      const ext = m[2]
        ? m[2].replace(/^\s+extends\s+/, "").split(",").map((s) => s.trim())
        : [];
      interfaces.set(m[1], { body: text.slice(open + 1, close), extends: ext });
      re.lastIndex = close + 1;
    }
    const aliases = [];
    const aliasRe = /export\s+type\s*\{([^}]*)\}/g;
    while ((m = aliasRe.exec(text))) {
      for (const part of m[1].split(",")) {
        const a = part.trim().match(/^([\w$]+)\s+as\s+([\w$]+)$/);
        if (a) aliases.push([a[1], a[2]]);
      }
    }
    const scalars = [];
    const scalarRe = /export\s+type\s+([\w$]+)\s*=\s*([^;{]+);/g;
    while ((m = scalarRe.exec(text))) scalars.push(m[1]);
    const result = { interfaces, aliases, scalars };
    this.fileCache.set(file, result);
    return result;
  }

  indexFile(file) {
    const { interfaces, aliases, scalars } = this.readInterfaces(file);
    for (const name of scalars) this.scalars.add(name);
    const aliased = new Set();
    for (const [local, global] of aliases) {
      if (interfaces.has(local)) {
        this.raw.set(global, interfaces.get(local));
        aliased.add(local);
      } else if (scalars.includes(local)) {
        this.scalars.add(global);
      }
    }
    for (const [name, decl] of interfaces) {
      if (!aliased.has(name) && !this.raw.has(name)) this.raw.set(name, decl);
    }
    // Release the text: only the index is kept.
    this.fileCache.delete(file);
  }

  resolve(name) {
    if (this.resolved.has(name)) return this.resolved.get(name);
    if (name === "TypeMeta") {
      const t = { object: new Map([["apiVersion", { any: true }], ["kind", { any: true }]]) };
      this.resolved.set(name, t);
      return t;
    }
    const decl = this.raw.get(name);
    if (!decl || this.scalars.has(name)) {
      const t = { any: true };
      this.resolved.set(name, t);
      return t;
    }
    const placeholder = { object: new Map(), open: false };
    this.resolved.set(name, placeholder); // recursion guard
    const { fields, index, open } = parseMembers(decl.body);
    placeholder.object = fields;
    placeholder.index = index;
    placeholder.open = open;
    for (const base of decl.extends) {
      const b = this.resolve(base.replace(/<.*$/, ""));
      if (b.object) {
        for (const [k, v] of b.object) if (!fields.has(k)) fields.set(k, v);
        if (b.open || b.index) placeholder.open = true;
      } else {
        placeholder.open = true;
      }
    }
    return placeholder;
  }

  // The declared type of a top-level object: interface I<Kind> in
  // <modelsDir>/<Kind>.d.ts.
  topLevel(modelsDir, kind) {
    const file = path.join(modelsDir, `${kind}.d.ts`);
    if (!fs.existsSync(file)) return null;
    const { interfaces } = this.readInterfaces(file);
    const decl = interfaces.get(`I${kind}`);
    if (!decl) return null;
    const name = `${file}#I${kind}`;
    if (!this.raw.has(name)) this.raw.set(name, decl);
    return { ref: name };
  }

  // Appends "<path>: unknown field" messages for value checked against type.
  check(value, type, where, errors) {
    if (!type || type.any || value === null || value === undefined) return;
    if (type.ref) {
      this.check(value, this.resolve(type.ref), where, errors);
      return;
    }
    if (type.array) {
      if (Array.isArray(value)) {
        value.forEach((v, i) => this.check(v, type.array, `${where}[${i}]`, errors));
      }
      return;
    }
    if (typeof value !== "object" || Array.isArray(value)) return;
    if (type.map) {
      for (const [k, v] of Object.entries(value)) this.check(v, type.map, `${where}.${k}`, errors);
      return;
    }
    if (type.object) {
      for (const [k, v] of Object.entries(value)) {
        const ft = type.object.get(k);
        if (ft) this.check(v, ft, where ? `${where}.${k}` : k, errors);
        else if (type.index) this.check(v, type.index, `${where}.${k}`, errors);
        else if (!type.open) errors.push(`${where ? `${where}.` : ""}${k}: unknown field`);
      }
    }
  }
}
