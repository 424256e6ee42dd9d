import fc from "fast-check";
import { canonicalJson } from "../../lambdas/core/canonical-json";
import { inputSha256, sha256Hex } from "../../lambdas/core/hashing";

/** A copy with every object's keys inserted in a seeded random order, built without `__proto__` traps. */
function shuffleKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0;
  const nextRandom = (): number => {
    // A small LCG keeps the shuffle reproducible from the seed fast-check reports.
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      return node.map(visit);
    }
    if (node === null || typeof node !== "object") {
      return node;
    }
    const entries = Object.entries(node).map(([key, member]): [string, unknown] => [key, visit(member)]);
    for (let index = entries.length - 1; index > 0; index -= 1) {
      const other = Math.floor(nextRandom() * (index + 1));
      const current = entries[index];
      const swapped = entries[other];
      if (current !== undefined && swapped !== undefined) {
        entries[index] = swapped;
        entries[other] = current;
      }
    }
    // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
    return Object.fromEntries(entries);
  };
  return visit(value);
}

describe("canonicalJson", () => {
  it("sorts object keys at every depth", () => {
    // Prepare
    const value = { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("sorts keys by UTF-16 code units, as Array.prototype.sort does", () => {
    // Prepare
    const value = { b: 1, B: 2, é: 3, "😀": 4, "\uffff": 5, "10": 6, "9": 7, "": 8 };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"":8,"10":6,"9":7,"B":2,"b":1,"é":3,"😀":4,"\uffff":5}');
  });

  it("writes strings exactly as JSON.stringify does, unicode, escapes and lone surrogates included", () => {
    // Prepare
    const text = 'é 😀 "quoted" back\\slash \n\t\u0000 \u2028 \ud800';

    // Act
    const written = canonicalJson({ text });

    // Assess
    expect(written).toBe(`{"text":${JSON.stringify(text)}}`);
  });

  it.each([
    { label: "0", value: 0, expected: "0" },
    { label: "-0", value: -0, expected: "0" },
    { label: "1.5", value: 1.5, expected: "1.5" },
    { label: "1e21", value: 1e21, expected: "1e+21" },
    { label: "1e-7", value: 1e-7, expected: "1e-7" },
    { label: "0.1 + 0.2", value: 0.1 + 0.2, expected: "0.30000000000000004" },
    { label: "MAX_SAFE_INTEGER", value: Number.MAX_SAFE_INTEGER, expected: "9007199254740991" },
    { label: "NaN", value: Number.NaN, expected: "null" },
    { label: "Infinity", value: Number.POSITIVE_INFINITY, expected: "null" },
  ])("writes the number $label as JSON.stringify does ($expected)", ({ value, expected }) => {
    // Act
    const text = canonicalJson([value]);

    // Assess
    expect(text).toBe(`[${expected}]`);
    expect(text).toBe(JSON.stringify([value]));
  });

  it("omits object properties whose value is undefined and writes undefined array slots as null", () => {
    // Prepare
    const value = { kept: true, dropped: undefined, list: [undefined, 1] };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"kept":true,"list":[null,1]}');
  });

  it("writes an own __proto__ key like any other key", () => {
    // Prepare
    const value: unknown = JSON.parse('{"z":1,"__proto__":{"polluted":true},"a":2}');

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"__proto__":{"polluted":true},"a":2,"z":1}');
  });

  it("accepts objects without a prototype", () => {
    // Prepare
    const value = Object.assign(Object.create(null) as object, { b: 2, a: 1 });

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"a":1,"b":2}');
  });

  it("writes empty containers and top-level scalars", () => {
    // Act
    const written = [{}, [], "s", 1, true, null].map((value) => canonicalJson(value));

    // Assess
    expect(written).toEqual(["{}", "[]", '"s"', "1", "true", "null"]);
  });

  it("handles nesting far deeper than the call stack allows", () => {
    // Prepare
    const depth = 100_000;
    const value: unknown = JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe(`${"[".repeat(depth)}${"]".repeat(depth)}`);
  });

  it("writes a shared, non-circular reference each time it appears", () => {
    // Prepare
    const shared = { x: 1 };

    // Act
    const text = canonicalJson({ a: shared, b: [shared] });

    // Assess
    expect(text).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it.each([
    { name: "top-level undefined", value: undefined, message: /undefined/ },
    { name: "a function", value: { run: () => 1 }, message: /function/ },
    { name: "a symbol", value: [Symbol("s")], message: /symbol/ },
    { name: "a bigint", value: { n: 1n }, message: /bigint/ },
    { name: "a Date", value: { at: new Date(0) }, message: /Date/ },
    { name: "a Map", value: new Map([["a", 1]]), message: /Map/ },
  ])("refuses $name with a TypeError", ({ value, message }) => {
    // Act
    const act = () => canonicalJson(value);

    // Assess
    expect(act).toThrow(TypeError);
    expect(act).toThrow(message);
  });

  it("refuses a circular reference with a TypeError", () => {
    // Prepare
    const value: { self?: unknown } = {};
    value.self = [value];

    // Act
    const act = () => canonicalJson(value);

    // Assess
    expect(act).toThrow(new TypeError("canonicalJson: cannot serialize a circular reference"));
  });

  it("parses back to the same data as JSON.stringify for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        // Act
        const text = canonicalJson(value);

        // Assess: compared with a JSON.stringify round trip, which also turns -0 into 0.
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("is the same text for any reordering of object keys", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        // Prepare
        const shuffled = shuffleKeys(value, seed);

        // Act
        const original = canonicalJson(value);
        const reordered = canonicalJson(shuffled);

        // Assess
        expect(reordered).toBe(original);
      }),
    );
  });
});

describe("sha256Hex", () => {
  it.each([
    {
      name: "the empty string",
      text: "",
      expected: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
    {
      name: "ASCII",
      text: "abc",
      expected: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    },
    {
      name: "a two-byte character",
      text: "é",
      expected: "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
    },
  ])("hashes $name as UTF-8 into lowercase hex", ({ text, expected }) => {
    // Act
    const digest = sha256Hex(text);

    // Assess
    expect(digest).toBe(expected);
  });
});

describe("inputSha256", () => {
  it("gives the same hash for inputs that differ only in key order", () => {
    // Prepare
    const first = { command: "ls", options: { all: true, long: false } };
    const second = { options: { long: false, all: true }, command: "ls" };

    // Act
    const hashes = [inputSha256(first), inputSha256(second)];

    // Assess
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).toBe(sha256Hex('{"command":"ls","options":{"all":true,"long":false}}'));
  });

  it("gives different hashes for different inputs", () => {
    // Act
    const hashes = [inputSha256({ command: "ls" }), inputSha256({ command: "ls " })];

    // Assess
    expect(hashes[0]).not.toBe(hashes[1]);
  });
});
