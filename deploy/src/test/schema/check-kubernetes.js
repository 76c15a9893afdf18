#!/usr/bin/env node
// Checks deploy/kubernetes the way a cluster would see it: `kubectl kustomize DIR` renders the
// kustomization, and every rendered object, plus every object in the extra FILEs (the Spark pod
// template, which spark-submit reads rather than the cluster), is validated against the Kubernetes
// and prometheus-operator schemas that the kubernetes-models packages ship. On top of those schemas
// (which allow any extra key, while `kubectl apply` refuses unknown fields and the API server prunes
// them from custom resources) a key that no schema names is an error too: a typo must not be dropped.
//
//   node check-kubernetes.js ../../../kubernetes ../../../kubernetes/spark-pod-template.yaml
//
// Prints one line per object checked, and per error `FILE:LINE: KIND NAMESPACE/NAME: FIELD: problem`,
// FILE being the source file the object came from. Exits 0 when every object is valid, 1 when one is
// not, 2 when it cannot check (kubectl missing, kustomize refused the directory, bad arguments).
// KUBECTL names the kubectl binary; default: kubectl on PATH (Debian package kubernetes-client).
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");
const trackAccess = require("./track-access.js");

/** Models of the API groups that are not Kubernetes' own, by group. */
const CRD_PACKAGES = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };

function fail(message) {
  console.error("check-kubernetes: " + message);
  process.exit(2);
}

/** The model class for an object's apiVersion and kind, or an error naming what to add. */
function modelFor(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const pkg = CRD_PACKAGES[group] || (group.includes(".") && !group.endsWith(".k8s.io") ? null : "kubernetes-models");
  if (pkg === null) {
    return { error: `no schema for API group ${group}: add its @kubernetes-models package to CRD_PACKAGES` };
  }
  try {
    const model = require(`${pkg}/${apiVersion}/${kind}`)[kind];
    if (model) {
      return { model };
    }
  } catch (e) {
    if (e.code !== "MODULE_NOT_FOUND") {
      throw e;
    }
  }
  return { error: `${pkg} has no ${apiVersion} ${kind}: wrong apiVersion or kind` };
}

/** Parsed YAML documents of a file, with a line counter to turn offsets into line numbers. */
function readYaml(file, text) {
  const lines = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: lines });
  for (const doc of docs) {
    if (doc.errors.length) {
      fail(`${file}: ${doc.errors[0].message}`);
    }
  }
  return docs.filter((d) => d.contents !== null).map((doc) => ({ file, doc, lines }));
}

/** `spec.containers[0].name` from path segments. */
function fieldName(segments) {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : (i ? "." : "") + s)).join("") || "(object)";
}

/** JSON-pointer segments, array indexes as numbers (as they index `data`). */
function segmentsOf(pointer, data) {
  const segments = [];
  let at = data;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment = Array.isArray(at) ? Number(key) : key;
    segments.push(segment);
    at = at == null ? undefined : at[segment];
  }
  return segments;
}

/** The line of the deepest key or item on `segments` that the source document has. */
function lineOf(source, segments) {
  let node = source.doc.contents;
  let at = node.range[0];
  for (const segment of segments) {
    if (YAML.isMap(node)) {
      const pair = node.items.find((p) => (YAML.isScalar(p.key) ? p.key.value : p.key) === segment);
      node = pair && pair.value;
      at = pair ? pair.key.range[0] : at;
    } else if (YAML.isSeq(node) && node.items[segment]) {
      node = node.items[segment];
      at = node.range[0];
    } else {
      break;
    }
  }
  return source.lines.linePos(at).line;
}

/** Problems with one object, each as [path segments, message]. */
function problems(data) {
  if (typeof data.apiVersion !== "string" || typeof data.kind !== "string") {
    return [[[], "apiVersion and kind are required to find the schema"]];
  }
  const found = modelFor(data.apiVersion, data.kind);
  if (found.error) {
    return [[[], found.error]];
  }
  const tracked = trackAccess(data);
  const out = [];
  try {
    found.model.prototype.validate.call(tracked.proxy);
  } catch (e) {
    if (!Array.isArray(e.errors)) {
      throw e;
    }
    for (const err of e.errors) {
      const segments = segmentsOf(err.instancePath, data);
      const missing = err.params && err.params.missingProperty;
      out.push(missing ? [segments.concat(missing), "required field missing"] : [segments, err.message]);
    }
  }
  for (const segments of tracked.unread()) {
    out.push([segments, "unknown field (no schema names it)"]);
  }
  return out;
}

function check(objects) {
  let bad = 0;
  for (const { data, source } of objects) {
    const meta = data.metadata || {};
    const name = `${data.kind} ${meta.namespace ? meta.namespace + "/" : ""}${meta.name || "(unnamed)"}`;
    const found = problems(data);
    bad += found.length;
    if (!found.length) {
      console.log(`ok ${name} (${source.file})`);
    }
    for (const [segments, message] of found) {
      console.log(`${source.file}:${lineOf(source, segments)}: ${name}: ${fieldName(segments)}: ${message}`);
    }
  }
  return bad;
}

/** Rendered objects of a kustomization, each paired with the resource file it came from. */
function rendered(dir) {
  const kubectl = process.env.KUBECTL || "kubectl";
  let text;
  try {
    text = execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.code === "ENOENT") {
      fail(`${kubectl} not found: apt-get install kubernetes-client (or set KUBECTL to a kubectl binary)`);
    }
    fail(`${kubectl} kustomize ${dir} failed: ${e.stderr || e.message}`);
  }
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
  const sources = new Map();
  for (const resource of kustomization.resources || []) {
    const file = path.join(dir, resource);
    for (const source of readYaml(file, fs.readFileSync(file, "utf8"))) {
      const js = source.doc.toJS();
      sources.set(`${js.kind}/${js.metadata && js.metadata.name}`, source);
    }
  }
  const output = `${kubectl} kustomize ${dir}`;
  return readYaml(output, text).map((r) => {
    const data = r.doc.toJS();
    return { data, source: sources.get(`${data.kind}/${data.metadata && data.metadata.name}`) || r };
  });
}

function main(args) {
  if (!args.length) {
    fail("usage: check-kubernetes.js KUSTOMIZATION_DIR [FILE...]");
  }
  const objects = rendered(args[0]);
  for (const file of args.slice(1)) {
    objects.push(...readYaml(file, fs.readFileSync(file, "utf8")).map((s) => ({ data: s.doc.toJS(), source: s })));
  }
  const bad = check(objects);
  console.log(`${objects.length} objects checked, ${bad} problems`);
  process.exit(bad ? 1 : 0);
}

main(process.argv.slice(2));
