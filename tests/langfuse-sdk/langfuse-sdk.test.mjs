// Langfuse's own JavaScript SDK (@langfuse/client, exact version in package.json) against a running PromptHub:
// the code a Langfuse user already has, with only baseUrl and the keys changed. Every check compares what the
// SDK gives with what PromptHub's own API says. Prints one line per check and ends with "N passed, N failed";
// with COUNTS_FILE set, writes "passed failed" there too (for .ci/run). Exit code 1 when a check fails.
//
//   PROMPTHUB_URL=http://127.0.0.1:5080 PROMPTHUB_ADMIN_KEY=phk_… node langfuse-sdk.test.mjs
import { LangfuseClient } from "@langfuse/client";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";

const baseUrl = process.env.PROMPTHUB_URL;
const adminSecret = process.env.PROMPTHUB_ADMIN_KEY;
if (!baseUrl || !adminSecret) {
  console.error("Set PROMPTHUB_URL and PROMPTHUB_ADMIN_KEY (the bearer secret of an admin key).");
  process.exit(2);
}

const run = Date.now().toString(36); // names of this run, so a reused database does not collide
const textName = `sdk-${run}/greeting`;
const chatName = `sdk-${run}/assistant`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** PromptHub's own API, with a bearer key. */
async function prompthub(method, path, body, secret = adminSecret) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${secret}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function newKey(role) {
  const key = await prompthub("POST", "/api/v1/keys", { name: `langfuse-sdk-${role}-${run}`, role });
  return { publicKey: key.publicId, secretKey: key.secret, name: key.name };
}

const results = { passed: 0, failed: 0 };
async function check(name, body) {
  try {
    await body();
    results.passed++;
    console.log(`ok      ${name}`);
  } catch (error) {
    results.failed++;
    console.log(`FAILED  ${name}\n        ${String(error?.stack ?? error).split("\n").slice(0, 6).join("\n        ")}`);
  }
}

/** Awaits a promise that must reject, and returns what it rejected with. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to fail");
}

const admin = await newKey("admin");
const reader = await newKey("reader");
const langfuse = new LangfuseClient({ baseUrl, publicKey: admin.publicKey, secretKey: admin.secretKey });
const service = new LangfuseClient({ baseUrl, publicKey: reader.publicKey, secretKey: reader.secretKey });

await check("create a text prompt with a label, config, tags and a commit message", async () => {
  const created = await langfuse.prompt.create({
    name: textName,
    type: "text",
    prompt: "Hello {{name}}, welcome to {{place}}!",
    config: { model: "gpt-4o-mini", temperature: 0.2 },
    labels: ["production"],
    tags: ["sdk-test"],
    commitMessage: "first greeting",
  });
  assert.equal(created.version, 1);
  assert.equal(created.type, "text");
  assert.deepEqual(created.labels, ["production", "latest"]);
  const version = await prompthub("GET", `/api/v1/prompts/${encodeURIComponent(textName)}/versions/1`);
  assert.equal(version.template, "Hello {{name}}, welcome to {{place}}!");
  assert.equal(version.commitMessage, "first greeting");
  assert.equal(version.author, admin.name);
});

await check("get by label (production by default): compile() gives PromptHub's render", async () => {
  const prompt = await service.prompt.get(textName);
  assert.equal(prompt.version, 1);
  assert.equal(prompt.isFallback, false);
  assert.deepEqual(prompt.config, { model: "gpt-4o-mini", temperature: 0.2 });
  assert.deepEqual(prompt.tags, ["sdk-test"]);
  const variables = { name: "Ann", place: "Oslo" };
  const rendered = await prompthub("POST", `/api/v1/prompts/${encodeURIComponent(textName)}/render`, { variables });
  assert.equal(prompt.compile(variables), "Hello Ann, welcome to Oslo!");
  assert.equal(prompt.compile(variables), rendered.text);
});

await check("a new version without labels; get by version and by latest", async () => {
  const second = await langfuse.prompt.create({ name: textName, prompt: "Hi {{name}}! Enjoy {{place}}.", commitMessage: "shorter" });
  assert.equal(second.version, 2);
  const byVersion = await service.prompt.get(textName, { version: 1 });
  assert.equal(byVersion.prompt, "Hello {{name}}, welcome to {{place}}!");
  const latest = await service.prompt.get(textName, { label: "latest" });
  assert.equal(latest.version, 2);
  assert.equal(latest.commitMessage, "shorter");
  const production = await service.prompt.get(textName, { label: "production", cacheTtlSeconds: 0 });
  assert.equal(production.version, 1);
});

await check("update moves production to version 2, recorded in PromptHub's label history", async () => {
  await langfuse.prompt.update({ name: textName, version: 2, newLabels: ["production"] });
  const prompt = await service.prompt.get(textName, { cacheTtlSeconds: 0 });
  assert.equal(prompt.version, 2);
  const history = await prompthub("GET", `/api/v1/prompts/${encodeURIComponent(textName)}/labels/production/history`);
  assert.equal(history.items[0].fromVersion, 1);
  assert.equal(history.items[0].toVersion, 2);
  assert.equal(history.items[0].actor, admin.name);
});

await check("cache: a fresh entry is served without asking; an expired one is served stale, then refreshed", async () => {
  const client = new LangfuseClient({ baseUrl, publicKey: reader.publicKey, secretKey: reader.secretKey }); // an empty cache
  const options = { cacheTtlSeconds: 2 };
  assert.equal((await client.prompt.get(textName, options)).version, 2);
  await prompthub("PUT", `/api/v1/prompts/${encodeURIComponent(textName)}/labels/production`, { version: 1, reason: "sdk cache test" });
  assert.equal((await client.prompt.get(textName, options)).version, 2, "fresh: from the SDK's cache");
  await sleep(2200);
  assert.equal((await client.prompt.get(textName, options)).version, 2, "expired: stale while it refreshes");
  let refreshed;
  for (let i = 0; i < 40 && refreshed !== 1; i++) {
    await sleep(50);
    refreshed = (await client.prompt.get(textName, options)).version;
  }
  assert.equal(refreshed, 1, "the background refresh brought PromptHub's new target");
});

await check("create a chat prompt with a placeholder; compile() fills it as PromptHub's render does", async () => {
  const created = await langfuse.prompt.create({
    name: chatName,
    type: "chat",
    prompt: [
      { role: "system", content: "You are {{persona}}. Answer briefly." },
      { type: "placeholder", name: "history" },
      { role: "user", content: "{{question}}" },
    ],
    labels: ["production"],
  });
  assert.equal(created.type, "chat");
  const prompt = await service.prompt.get(chatName, { type: "chat" });
  assert.deepEqual(prompt.prompt[1], { type: "placeholder", name: "history" });
  const variables = { persona: "a librarian", question: "Where are the atlases?" };
  const history = [
    { role: "user", content: "Hello" },
    { role: "assistant", content: "Good morning, how can I help?" },
  ];
  const compiled = prompt.compile(variables, { history });
  const rendered = await prompthub("POST", `/api/v1/prompts/${encodeURIComponent(chatName)}/render`, { variables, placeholders: { history } });
  assert.equal(compiled.length, 4);
  assert.deepEqual(compiled, rendered.messages);
});

await check("list with filters and paging", async () => {
  const listed = await service.api.prompts.list({ tag: "sdk-test", label: "production" });
  const mine = listed.data.find((p) => p.name === textName);
  assert.ok(mine, "the text prompt is listed");
  assert.deepEqual(mine.versions, [1]);
  assert.deepEqual(mine.labels, ["production"]);
  assert.equal(mine.type, "text");
  const all = await service.api.prompts.list({ limit: 1, page: 1 });
  assert.equal(all.data.length, 1);
  assert.equal(all.meta.limit, 1);
  assert.ok(all.meta.totalItems >= 2);
  const names = (await service.api.prompts.list({ limit: 100 })).data.map((p) => p.name);
  assert.deepEqual(names, [...names].sort());
});

await check("a missing prompt is a 404 the SDK reports, and the fallback is used instead", async () => {
  const error = await rejection(service.prompt.get(`sdk-${run}/missing`));
  assert.equal(error.statusCode, 404);
  assert.equal(error.body.error, "LangfuseNotFoundError");
  const fallback = await service.prompt.get(`sdk-${run}/missing`, { type: "text", fallback: "Hi {{name}} (fallback)" });
  assert.equal(fallback.isFallback, true);
  assert.equal(fallback.compile({ name: "Ann" }), "Hi Ann (fallback)");
});

await check("a wrong secret is refused with 401; a reader key may not create", async () => {
  const intruder = new LangfuseClient({ baseUrl, publicKey: reader.publicKey, secretKey: reader.secretKey + "x" });
  const refused = await rejection(intruder.prompt.get(textName));
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.body.error, "UnauthorizedError");
  const forbidden = await rejection(service.prompt.create({ name: textName, prompt: "not allowed" }));
  assert.equal(forbidden.statusCode, 403);
});

await check("delete archives the prompt: it is gone for the SDK and for PromptHub", async () => {
  await langfuse.prompt.delete(chatName);
  const error = await rejection(service.prompt.get(chatName, { cacheTtlSeconds: 0 }));
  assert.equal(error.statusCode, 404);
  const response = await fetch(`${baseUrl}/api/v1/prompts/${encodeURIComponent(chatName)}`, { headers: { Authorization: `Bearer ${adminSecret}` } });
  assert.equal(response.status, 404);
});

console.log(`${results.passed} passed, ${results.failed} failed`);
if (process.env.COUNTS_FILE) writeFileSync(process.env.COUNTS_FILE, `${results.passed} ${results.failed}\n`);
process.exit(results.failed === 0 ? 0 : 1);
