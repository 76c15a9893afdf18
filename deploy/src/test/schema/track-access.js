// Finds the keys a schema validator never looked at. The kubernetes-models validators are compiled
// JSON schemas: for an object with known properties they read each one (`data.name`, present or
// not), for a map (labels, resources) they enumerate its keys, and for a free-form object they
// read nothing inside it. So, after validating through these proxies, a key of an object that had
// some of its keys read but not this one is a key no schema names: a typo or a misplaced field.
//
//   const tracked = trackAccess(data);
//   Model.prototype.validate.call(tracked.proxy);
//   tracked.unread();   // [["spec", "bogus"]] for data.spec.bogus
"use strict";

function trackAccess(root) {
  const seen = new Map(); // object -> { read: Set of keys, enumerated: boolean }

  function wrap(value) {
    if (value === null || typeof value !== "object") {
      return value;
    }
    const record = { read: new Set(), enumerated: false };
    seen.set(value, record);
    const children = new Map();
    const child = (key) => {
      if (!children.has(key)) {
        children.set(key, wrap(value[key]));
      }
      return children.get(key);
    };
    return new Proxy(value, {
      get(target, key) {
        record.read.add(key);
        return typeof key === "string" && Object.hasOwn(target, key) ? child(key) : target[key];
      },
      has(target, key) {
        record.read.add(key);
        return key in target;
      },
      ownKeys(target) {
        record.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  }

  function unread(value, segments, out) {
    const record = seen.get(value);
    if (!record) {
      return out; // never reached: under an unread key (reported there) or a free-form object
    }
    const strict = !Array.isArray(value) && !record.enumerated && record.read.size > 0;
    for (const key of Object.keys(value)) {
      const segment = Array.isArray(value) ? Number(key) : key;
      if (strict && !record.read.has(key)) {
        out.push(segments.concat(segment));
      } else {
        unread(value[key], segments.concat(segment), out);
      }
    }
    return out;
  }

  const proxy = wrap(root);
  return { proxy, unread: () => unread(root, [], []) };
}

module.exports = trackAccess;
