using System.Net.Http.Headers;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Langfuse;

/// <summary>Langfuse's public prompt API as its SDKs call it, against the real server and database.</summary>
public sealed class LangfuseApiTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Basic_auth_takes_a_keys_public_id_and_secret_and_refuses_any_other_pair_in_langfuses_envelope()
    {
        var (client, publicId, secret, _) = await app.LangfuseClientAsync("reader");
        var (_, otherPublicId, _, _) = await app.LangfuseClientAsync("reader");
        Assert.StartsWith("pk-ph-", publicId);

        var list = await (await client.GetAsync(LangfuseApi.Root)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotNull(list["meta"]);

        var wrongSecret = await app.Basic(publicId, secret + "x").GetAsync(LangfuseApi.Root);
        var message = await wrongSecret.ReadLangfuseErrorAsync(HttpStatusCode.Unauthorized, "UnauthorizedError");
        Assert.DoesNotContain(secret, message);
        await (await app.Basic(otherPublicId, secret).GetAsync(LangfuseApi.Root)).ReadLangfuseErrorAsync(HttpStatusCode.Unauthorized, "UnauthorizedError");
        await (await app.Anonymous().GetAsync(LangfuseApi.Root)).ReadLangfuseErrorAsync(HttpStatusCode.Unauthorized, "UnauthorizedError");
        var garbage = app.CreateClient();
        garbage.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "not base64 at all");
        await (await garbage.GetAsync(LangfuseApi.Root)).ReadLangfuseErrorAsync(HttpStatusCode.Unauthorized, "UnauthorizedError");

        // The public id is listed with the key afterwards (never the secret).
        var keys = await app.Admin().GetJsonAsync("/api/v1/keys?pageSize=200");
        var listed = keys["items"]!.AsArray().Single(k => (string?)k!["publicId"] == publicId)!;
        Assert.Null(listed["secret"]);
    }

    [Fact]
    public async Task A_reader_key_gets_and_lists_but_creating_and_labelling_need_an_admin_key()
    {
        var (admin, _, _, _) = await app.LangfuseClientAsync("admin");
        var (reader, _, _, _) = await app.LangfuseClientAsync("reader");
        await admin.CreateAsync(new { name = "lf-roles", prompt = "Hi {{name}}", labels = new[] { "production" } });

        Assert.Equal("Hi {{name}}", (string?)(await reader.GetPromptAsync("lf-roles"))["prompt"]);
        await (await reader.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-roles", prompt = "Hello" }))
            .ReadLangfuseErrorAsync(HttpStatusCode.Forbidden, "ForbiddenError");
        await (await reader.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-roles")}/versions/1", new { newLabels = new[] { "staging" } }))
            .ReadLangfuseErrorAsync(HttpStatusCode.Forbidden, "ForbiddenError");
        await (await reader.DeleteAsync(LangfuseApi.PathOf("lf-roles"))).ReadLangfuseErrorAsync(HttpStatusCode.Forbidden, "ForbiddenError");
        Assert.Equal(1, await app.ScalarAsync<int>("SELECT latest_version FROM prompts.prompts WHERE name = 'lf-roles'"));
    }

    [Fact]
    public async Task Create_makes_the_prompt_then_new_versions_and_get_answers_by_label_version_and_latest()
    {
        var (client, _, _, keyName) = await app.LangfuseClientAsync("admin");
        var first = await client.CreateAsync(new
        {
            name = "lf-greeting", type = "text", prompt = "Hello {{name}}", config = new { model = "gpt-4o-mini", temperature = 0.2 },
            labels = new[] { "production" }, tags = new[] { "greetings" }, commitMessage = "first",
        });
        Assert.Equal("lf-greeting", (string?)first["name"]);
        Assert.Equal(1, (int)first["version"]!);
        Assert.Equal("text", (string?)first["type"]);
        Assert.Equal("Hello {{name}}", (string?)first["prompt"]);
        Assert.Equal("gpt-4o-mini", (string?)first["config"]!["model"]);
        Assert.Equal(["production", "latest"], first["labels"].Strings());
        Assert.Equal(["greetings"], first["tags"].Strings());
        Assert.Equal("first", (string?)first["commitMessage"]);

        var second = await client.CreateAsync(new { name = "lf-greeting", prompt = "Hi {{name}}!", commitMessage = "shorter" });
        Assert.Equal(2, (int)second["version"]!);
        Assert.Equal(["latest"], second["labels"].Strings());
        Assert.Equal(["greetings"], second["tags"].Strings()); // not given: kept

        Assert.Equal(1, (int)(await client.GetPromptAsync("lf-greeting"))["version"]!);              // production by default
        Assert.Equal(1, (int)(await client.GetPromptAsync("lf-greeting", "?label=production"))["version"]!);
        var latest = await client.GetPromptAsync("lf-greeting", "?label=latest");
        Assert.Equal(2, (int)latest["version"]!);
        Assert.Equal("Hi {{name}}!", (string?)latest["prompt"]);
        Assert.Equal("shorter", (string?)latest["commitMessage"]);
        Assert.Equal(["latest"], latest["labels"].Strings());
        var byVersion = await client.GetPromptAsync("lf-greeting", "?version=1");
        Assert.Equal("Hello {{name}}", (string?)byVersion["prompt"]);
        Assert.Equal(0.2, (double)byVersion["config"]!["temperature"]!);

        // The versions are PromptHub's own: same numbers, author, and the label history of the upload.
        var version = await client.GetJsonAsync("/api/v1/prompts/lf-greeting/versions/2");
        Assert.Equal(keyName, (string?)version["author"]);
        Assert.Equal("shorter", (string?)version["commitMessage"]);

        // Same content again: no new version, the latest answered.
        var again = await client.CreateAsync(new { name = "lf-greeting", prompt = "Hi {{name}}!" }, HttpStatusCode.OK);
        Assert.Equal(2, (int)again["version"]!);
        Assert.Equal(2, await app.ScalarAsync<int>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'lf-greeting'"));
    }

    [Fact]
    public async Task Labels_given_at_create_move_from_any_other_version_and_tags_given_replace_the_prompts()
    {
        var (client, _, _, keyName) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-move", prompt = "one", labels = new[] { "production", "staging" }, tags = new[] { "a", "b" } });
        var second = await client.CreateAsync(new { name = "lf-move", prompt = "two", labels = new[] { "production" }, tags = new[] { "c" } });
        Assert.Equal(["production", "latest"], second["labels"].Strings());
        Assert.Equal(["c"], second["tags"].Strings());

        var one = await client.GetPromptAsync("lf-move", "?version=1");
        Assert.Equal(["staging"], one["labels"].Strings());
        Assert.Equal(["c"], one["tags"].Strings());

        var history = await client.GetJsonAsync("/api/v1/prompts/lf-move/labels/production/history");
        var moves = history["items"]!.AsArray();
        Assert.Equal(2, moves.Count);
        Assert.Equal(1, (int)moves[0]!["fromVersion"]!);
        Assert.Equal(2, (int)moves[0]!["toVersion"]!);
        Assert.Equal(keyName, (string?)moves[0]!["actor"]);
    }

    [Fact]
    public async Task Update_moves_new_labels_to_the_version_off_every_other_and_records_each_move_with_the_key_as_actor()
    {
        var (client, _, _, keyName) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-update", prompt = "v1", labels = new[] { "production" } });
        await client.CreateAsync(new { name = "lf-update", prompt = "v2" });
        await client.CreateAsync(new { name = "lf-update", prompt = "v3", labels = new[] { "staging" } });

        var updated = await client.UpdateLabelsAsync("lf-update", 2, "production", "staging");
        Assert.Equal(2, (int)updated["version"]!);
        Assert.Equal("v2", (string?)updated["prompt"]);
        Assert.Equal(["production", "staging"], updated["labels"].Strings());
        Assert.Empty((await client.GetPromptAsync("lf-update", "?version=1"))["labels"].Strings());
        Assert.Equal(["latest"], (await client.GetPromptAsync("lf-update", "?version=3"))["labels"].Strings());
        Assert.Equal(2, (int)(await client.GetPromptAsync("lf-update"))["version"]!);

        var production = (await client.GetJsonAsync("/api/v1/prompts/lf-update/labels/production/history"))["items"]!.AsArray();
        Assert.Equal(2, production.Count);
        Assert.Equal(1, (int)production[0]!["fromVersion"]!);
        Assert.Equal(2, (int)production[0]!["toVersion"]!);
        Assert.Equal("activate", (string?)production[0]!["action"]);
        Assert.Equal(keyName, (string?)production[0]!["actor"]);
        var staging = (await client.GetJsonAsync("/api/v1/prompts/lf-update/labels/staging/history"))["items"]!.AsArray();
        Assert.Equal(3, (int)staging[0]!["fromVersion"]!);
        Assert.Equal(2, (int)staging[0]!["toVersion"]!);

        // The same labels again move nothing and record nothing.
        await client.UpdateLabelsAsync("lf-update", 2, "production");
        Assert.Equal(2, (await client.GetJsonAsync("/api/v1/prompts/lf-update/labels/production/history"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Update_refuses_latest_unknown_versions_and_prompts_without_moving_anything()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-update-bad", prompt = "v1", labels = new[] { "production" } });
        await client.CreateAsync(new { name = "lf-update-bad", prompt = "v2" });

        var latest = await client.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-update-bad")}/versions/1", new { newLabels = new[] { "staging", "latest" } });
        Assert.Contains("latest", await latest.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        var missing = await client.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-update-bad")}/versions/9", new { newLabels = new[] { "production" } });
        await missing.ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        var unknown = await client.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-nope")}/versions/1", new { newLabels = new[] { "production" } });
        await unknown.ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        var noLabels = await client.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-update-bad")}/versions/1", new { });
        Assert.Contains("newLabels", await noLabels.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));

        Assert.Equal(1, (int)(await client.GetPromptAsync("lf-update-bad"))["version"]!);
        Assert.Equal(0, await app.ScalarAsync<int>("SELECT count(*) FROM prompts.labels l JOIN prompts.prompts p ON p.id = l.prompt_id WHERE p.name = 'lf-update-bad' AND l.name = 'staging'"));
    }

    [Fact]
    public async Task Get_errors_say_what_is_missing_in_langfuses_envelope()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-unlabelled", prompt = "no production yet" });

        var noProduction = await client.GetAsync(LangfuseApi.PathOf("lf-unlabelled"));
        Assert.StartsWith("Prompt not found: ", await noProduction.ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError"));
        await (await client.GetAsync(LangfuseApi.PathOf("lf-never-made"))).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        await (await client.GetAsync(LangfuseApi.PathOf("lf-unlabelled") + "?version=7")).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        var both = await client.GetAsync(LangfuseApi.PathOf("lf-unlabelled") + "?version=1&label=production");
        Assert.Contains("version", await both.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        await (await client.GetAsync(LangfuseApi.PathOf("lf-unlabelled") + "?version=zero")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        await (await client.GetAsync(LangfuseApi.PathOf("lf-unlabelled") + "?label=Not%20A%20Label")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");

        await (await client.PutAsJsonAsync(LangfuseApi.Root, new { })).ReadLangfuseErrorAsync(HttpStatusCode.MethodNotAllowed, "MethodNotAllowedError");

        // PromptHub's own routes keep problem+json.
        await (await client.GetAsync("/api/v1/prompts/lf-never-made")).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Names_with_slashes_work_encoded_once_as_the_sdk_sends_them_and_plain()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf/support/triage", prompt = "Triage {{ticket}}", labels = new[] { "production" } });

        var encoded = await (await client.GetAsync($"{LangfuseApi.Root}/lf%2Fsupport%2Ftriage")).ReadJsonAsync(HttpStatusCode.OK);
        var plain = await (await client.GetAsync($"{LangfuseApi.Root}/lf/support/triage?label=production")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("lf/support/triage", (string?)encoded["name"]);
        Assert.Equal("lf/support/triage", (string?)plain["name"]);

        await client.CreateAsync(new { name = "lf/support/triage", prompt = "Triage {{ticket}} quickly" });
        var moved = await (await client.PatchAsJsonAsync($"{LangfuseApi.Root}/lf%2Fsupport%2Ftriage/versions/2", new { newLabels = new[] { "production" } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["production", "latest"], moved["labels"].Strings());
        var plainPatch = await (await client.PatchAsJsonAsync($"{LangfuseApi.Root}/lf/support/triage/versions/1", new { newLabels = new[] { "staging" } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["staging"], plainPatch["labels"].Strings());
        await (await client.GetAsync($"{LangfuseApi.Root}/lf%2Fsupport")).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
    }

    [Fact]
    public async Task Chat_prompts_keep_placeholders_and_render_fills_them_with_the_messages_given_under_their_name()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        // As the SDK sends it: every item carries its type.
        var created = await client.CreateAsync(new
        {
            name = "lf-chat", type = "chat", labels = new[] { "production" },
            prompt = new object[]
            {
                new { role = "system", content = "You are {{persona}}.", type = "chatmessage" },
                new { type = "placeholder", name = "history" },
                new { role = "user", content = "{{question}}", type = "chatmessage" },
            },
        });
        Assert.Equal("chat", (string?)created["type"]);
        var got = await client.GetPromptAsync("lf-chat");
        var items = got["prompt"]!.AsArray();
        Assert.Equal(3, items.Count);
        Assert.Equal("system", (string?)items[0]!["role"]);
        Assert.Equal("You are {{persona}}.", (string?)items[0]!["content"]);
        Assert.Equal("placeholder", (string?)items[1]!["type"]);
        Assert.Equal("history", (string?)items[1]!["name"]);
        Assert.Equal("{{question}}", (string?)items[2]!["content"]);

        // PromptHub's own API shows and renders the same placeholder.
        var resolved = await client.GetJsonAsync("/api/v1/prompts/lf-chat/resolve");
        Assert.Equal("history", (string?)resolved["messages"]![1]!["name"]);
        Assert.Equal(["persona", "question"], resolved["variables"].Strings());
        var rendered = await (await client.PostAsJsonAsync("/api/v1/prompts/lf-chat/render", new
        {
            variables = new { persona = "a pirate", question = "Where is the gold?" },
            placeholders = new { history = new[] { new { role = "user", content = "Hi {{persona}}" }, new { role = "assistant", content = "Arr" } } },
        })).ReadJsonAsync(HttpStatusCode.OK);
        var messages = rendered["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => (string)m!["role"]!).ToList());
        Assert.Equal("You are a pirate.", (string?)messages[0]!["content"]);
        Assert.Equal("Hi {{persona}}", (string?)messages[1]!["content"]); // data, not a template
        Assert.Equal("Where is the gold?", (string?)messages[3]!["content"]);

        var empty = await (await client.PostAsJsonAsync("/api/v1/prompts/lf-chat/render", new
        {
            variables = new { persona = "a pirate", question = "?" },
            placeholders = new { history = Array.Empty<object>() },
        })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, empty["messages"]!.AsArray().Count);

        var missing = await (await client.PostAsJsonAsync("/api/v1/prompts/lf-chat/render", new { variables = new { persona = "a", question = "?" } }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["history"], missing["missing"].Strings());
        var malformed = await (await client.PostAsJsonAsync("/api/v1/prompts/lf-chat/render", new
        {
            variables = new { persona = "a", question = "?" },
            placeholders = new { history = new[] { new { role = "user" } } },
        })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(malformed["errors"]!["placeholders.history[0]"]);
    }

    [Fact]
    public async Task PromptHubs_own_upload_takes_placeholders_and_refuses_malformed_ones()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("ph-chat-placeholder", "chat");
        var version = await admin.UploadAsync("ph-chat-placeholder", new
        {
            messages = new object[] { new { role = "system", content = "Be brief." }, new { type = "placeholder", name = "history" } },
        });
        Assert.Equal("placeholder", (string?)version["messages"]![1]!["type"]);
        Assert.Null(version["messages"]![1]!["role"]);

        var bad = await (await admin.PostAsJsonAsync("/api/v1/prompts/ph-chat-placeholder/versions", new
        {
            messages = new object[]
            {
                new { role = "system", content = "x" },
                new { type = "placeholder", name = "has space" },
                new { type = "image", name = "x" },
                new { type = "placeholder", name = "ok", role = "user" },
            },
        })).ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = bad["errors"]!.AsObject();
        Assert.NotNull(errors["messages[1].name"]);
        Assert.NotNull(errors["messages[2].type"]);
        Assert.NotNull(errors["messages[3]"]);
        var onlyPlaceholders = await (await admin.PostAsJsonAsync("/api/v1/prompts/ph-chat-placeholder/versions", new
        {
            messages = new object[] { new { type = "placeholder", name = "history" } },
        })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(onlyPlaceholders["errors"]!["messages"]);
        Assert.Equal(1, await app.ScalarAsync<int>("SELECT latest_version FROM prompts.prompts WHERE name = 'ph-chat-placeholder'"));
    }

    [Fact]
    public async Task Create_refuses_a_type_change_bad_fields_and_writes_nothing()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-typed", prompt = "text" });

        var typeChange = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-typed", type = "chat", prompt = new[] { new { role = "user", content = "x" } } });
        Assert.Contains("type", await typeChange.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        var textAsArray = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-typed", prompt = new[] { "x" } });
        Assert.Contains("prompt", await textAsArray.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        var badName = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "/bad//name", prompt = "x" });
        Assert.Contains("name", await badName.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        var badChat = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-new-chat", type = "chat", prompt = new object[] { new { role = "wizard", content = "x" } } });
        await badChat.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        var unknownField = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-new-2", prompt = "x", colour = "red" });
        await unknownField.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");

        Assert.Equal(1, await app.ScalarAsync<int>("SELECT latest_version FROM prompts.prompts WHERE name = 'lf-typed'"));
        Assert.Equal(0, await app.ScalarAsync<int>("SELECT count(*) FROM prompts.prompts WHERE name IN ('lf-new-chat', 'lf-new-2')"));
    }

    [Fact]
    public async Task List_pages_prompts_by_name_with_the_versions_and_labels_that_match_the_filters()
    {
        var other = await app.CreateProjectAsync("lf-list");
        var created = await (await app.As(other).PostAsJsonAsync("/api/v1/keys", new { name = "lf-list", role = "admin" })).ReadJsonAsync(HttpStatusCode.Created);
        var client = app.Basic((string)created["publicId"]!, (string)created["secret"]!);
        await client.CreateAsync(new { name = "b-second", prompt = "b1", labels = new[] { "production" }, tags = new[] { "team-a" }, config = new { n = 1 } });
        await client.CreateAsync(new { name = "b-second", prompt = "b2", config = new { n = 2 } });
        await client.CreateAsync(new { name = "a-first", prompt = "a1", tags = new[] { "team-b" } });
        await client.CreateAsync(new { name = "c-third", type = "chat", prompt = new[] { new { role = "user", content = "c" } }, labels = new[] { "production" } });

        var all = await client.GetJsonAsync(LangfuseApi.Root);
        Assert.Equal(["a-first", "b-second", "c-third"], all["data"]!.AsArray().Select(p => (string)p!["name"]!).ToList());
        Assert.Equal(3, (int)all["meta"]!["totalItems"]!);
        Assert.Equal(10, (int)all["meta"]!["limit"]!);
        var b = all["data"]![1]!;
        Assert.Equal([1, 2], b["versions"]!.AsArray().Select(v => (int)v!).ToList());
        Assert.Equal(["production", "latest"], b["labels"].Strings());
        Assert.Equal(["team-a"], b["tags"].Strings());
        Assert.Equal(2, (int)b["lastConfig"]!["n"]!);
        Assert.Equal("text", (string?)b["type"]);
        Assert.Equal("chat", (string?)all["data"]![2]!["type"]);
        Assert.True(DateTimeOffset.TryParse((string?)b["lastUpdatedAt"], out _));

        var production = await client.GetJsonAsync($"{LangfuseApi.Root}?label=production");
        Assert.Equal(["b-second", "c-third"], production["data"]!.AsArray().Select(p => (string)p!["name"]!).ToList());
        Assert.Equal([1], production["data"]![0]!["versions"]!.AsArray().Select(v => (int)v!).ToList());
        Assert.Equal(1, (int)production["data"]![0]!["lastConfig"]!["n"]!);
        Assert.Equal(["a-first"], (await client.GetJsonAsync($"{LangfuseApi.Root}?tag=team-b"))["data"]!.AsArray().Select(p => (string)p!["name"]!).ToList());
        Assert.Single((await client.GetJsonAsync($"{LangfuseApi.Root}?name=b-second"))["data"]!.AsArray());
        Assert.Empty((await client.GetJsonAsync($"{LangfuseApi.Root}?fromUpdatedAt={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}"))["data"]!.AsArray());

        var page2 = await client.GetJsonAsync($"{LangfuseApi.Root}?limit=2&page=2");
        Assert.Equal(["c-third"], page2["data"]!.AsArray().Select(p => (string)p!["name"]!).ToList());
        Assert.Equal(2, (int)page2["meta"]!["page"]!);
        Assert.Equal(2, (int)page2["meta"]!["totalPages"]!);
        Assert.Equal(3, (int)page2["meta"]!["totalItems"]!);

        await (await client.GetAsync($"{LangfuseApi.Root}?limit=0")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        await (await client.GetAsync($"{LangfuseApi.Root}?limit=101")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        await (await client.GetAsync($"{LangfuseApi.Root}?page=0")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        await (await client.GetAsync($"{LangfuseApi.Root}?fromUpdatedAt=yesterday")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
    }

    [Fact]
    public async Task Delete_archives_the_prompt_and_refuses_to_drop_single_versions()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-delete", prompt = "v1", labels = new[] { "production" } });
        await client.CreateAsync(new { name = "lf-delete", prompt = "v2", labels = new[] { "staging" } });

        var oneVersion = await client.DeleteAsync(LangfuseApi.PathOf("lf-delete") + "?version=1");
        Assert.Contains("keeps every version", await oneVersion.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        await (await client.DeleteAsync(LangfuseApi.PathOf("lf-delete") + "?label=staging")).ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError");
        await (await client.DeleteAsync(LangfuseApi.PathOf("lf-delete") + "?label=canary")).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        Assert.Equal(2, (int)(await client.GetPromptAsync("lf-delete", "?version=2"))["version"]!);

        var deleted = await client.DeleteAsync(LangfuseApi.PathOf("lf-delete"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await client.GetAsync(LangfuseApi.PathOf("lf-delete"))).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        await (await client.DeleteAsync(LangfuseApi.PathOf("lf-delete"))).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        // Archived, not erased: the rows stay.
        Assert.Equal(2, await app.ScalarAsync<int>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'lf-delete' AND p.archived_at IS NOT NULL"));

        // A filter matching the only version is the whole prompt.
        await client.CreateAsync(new { name = "lf-delete-single", prompt = "v1", labels = new[] { "production" } });
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(LangfuseApi.PathOf("lf-delete-single") + "?label=production")).StatusCode);
        await (await client.GetAsync(LangfuseApi.PathOf("lf-delete-single"))).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
    }

    [Fact]
    public async Task Another_projects_key_sees_none_of_its_prompts()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-private", prompt = "secret sauce", labels = new[] { "production" } });
        var other = await app.CreateProjectAsync("lf-other");
        var key = await (await app.As(other).PostAsJsonAsync("/api/v1/keys", new { name = "lf-other", role = "admin" })).ReadJsonAsync(HttpStatusCode.Created);
        var stranger = app.Basic((string)key["publicId"]!, (string)key["secret"]!);

        await (await stranger.GetAsync(LangfuseApi.PathOf("lf-private"))).ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        Assert.Empty((await stranger.GetJsonAsync($"{LangfuseApi.Root}?name=lf-private"))["data"]!.AsArray());
        await (await stranger.PatchAsJsonAsync($"{LangfuseApi.PathOf("lf-private")}/versions/1", new { newLabels = new[] { "staging" } }))
            .ReadLangfuseErrorAsync(HttpStatusCode.NotFound, "LangfuseNotFoundError");
        // Creating the same name there makes that project's own prompt.
        Assert.Equal(1, (int)(await stranger.CreateAsync(new { name = "lf-private", prompt = "mine" }))["version"]!);
        Assert.Equal("secret sauce", (string?)(await client.GetPromptAsync("lf-private"))["prompt"]);
    }

    [Fact]
    public async Task Langfuse_references_compose_prompts_and_get_answers_with_them_resolved()
    {
        var (client, _, _, _) = await app.LangfuseClientAsync("admin");
        await client.CreateAsync(new { name = "lf-compose/base", prompt = "Be kind to {{customer}}.", labels = new[] { "production" } });
        await client.CreateAsync(new
        {
            name = "lf-compose/reply", labels = new[] { "production" },
            prompt = "@@@langfusePrompt:name=lf-compose/base|label=production@@@ Answer: {{question}}",
        });

        var resolved = await client.GetPromptAsync("lf-compose/reply");
        Assert.Equal("Be kind to {{customer}}. Answer: {{question}}", (string?)resolved["prompt"]);
        var stored = (string?)(await client.GetPromptAsync("lf-compose/reply", "?resolve=false"))["prompt"];
        Assert.DoesNotContain("@@@", stored);
        Assert.DoesNotContain("Be kind", stored);
        var rendered = await (await client.PostAsJsonAsync("/api/v1/prompts/lf-compose%2Freply/render", new { variables = new { customer = "Ann", question = "refund?" } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Be kind to Ann. Answer: refund?", (string?)rendered["text"]);

        // The include follows the label: a new production version of the base is what the composed prompt gets.
        await client.CreateAsync(new { name = "lf-compose/base", prompt = "Be very kind to {{customer}}.", labels = new[] { "production" } });
        Assert.Equal("Be very kind to {{customer}}. Answer: {{question}}", (string?)(await client.GetPromptAsync("lf-compose/reply"))["prompt"]);

        var byVersion = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-compose/other", prompt = "@@@langfusePrompt:name=lf-compose/base|version=1@@@" });
        Assert.Contains("label", await byVersion.ReadLangfuseErrorAsync(HttpStatusCode.BadRequest, "InvalidRequestError"));
        var missing = await client.PostAsJsonAsync(LangfuseApi.Root, new { name = "lf-compose/other", prompt = "@@@langfusePrompt:name=lf-compose/none|label=production@@@" });
        await missing.ReadLangfuseErrorAsync(HttpStatusCode.UnprocessableEntity, "InvalidRequestError");
        Assert.Equal(0, await app.ScalarAsync<int>("SELECT count(*) FROM prompts.prompts WHERE name = 'lf-compose/other'"));
    }
}
