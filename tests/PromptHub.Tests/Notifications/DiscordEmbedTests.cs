using PromptHub.Modules.Notifications;

namespace PromptHub.Tests.Notifications;

public sealed class DiscordEmbedTests
{
    static JsonObject Upload(string prompt = "support/triage", string? reason = "Shorter answers", string content = "Answer {{q}}", string changeType = "prompt") => new()
    {
        ["prompt"] = prompt, ["version"] = 7, ["type"] = "text", ["author"] = "release-bot", ["changeType"] = changeType,
        ["reason"] = reason, ["content"] = DiscordEmbeds.Excerpt(content), ["at"] = "2026-11-22T10:00:00.0000000Z",
        ["url"] = "https://prompthub.example/api/v1/prompts/support%2Ftriage/versions/7",
    };

    [Fact]
    public void An_upload_embed_has_the_title_fields_colour_link_and_time()
    {
        var embed = DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload());
        Assert.Equal("support/triage v7", (string?)embed["title"]);
        Assert.Equal(0x3498DB, (int)embed["color"]!);
        Assert.Equal("https://prompthub.example/api/v1/prompts/support%2Ftriage/versions/7", (string?)embed["url"]);
        Assert.Equal("2026-11-22T10:00:00.0000000Z", (string?)embed["timestamp"]);
        var fields = embed["fields"]!.AsArray().ToDictionary(f => (string)f!["name"]!, f => (string)f!["value"]!);
        Assert.Equal("text", fields["Type"]);
        Assert.Equal("7", fields["Version"]);
        Assert.Equal("release-bot", fields["Author"]);
        Assert.Equal("prompt", fields["Change"]);
        Assert.Equal("Shorter answers", fields["Reason"]);
        Assert.Equal("```\nAnswer {{q}}\n```", fields["Content"]);

        Assert.Equal(0x2ECC71, (int)DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(changeType: "initial"))["color"]!);
        Assert.Equal(0xE67E22, (int)DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(changeType: "config"))["color"]!);
        Assert.Equal(0x9B59B6, (int)DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(changeType: "both"))["color"]!);
        Assert.Equal("(no commit message)", (string?)DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(reason: null))["fields"]![4]!["value"]);
    }

    [Fact]
    public void The_content_is_cut_to_200_characters_and_every_text_to_discords_limits()
    {
        Assert.Equal(new string('a', 200) + "…", DiscordEmbeds.Excerpt(new string('a', 500)));

        var embed = DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(prompt: new string('p', 300), reason: new string('r', 5000)));
        var title = (string)embed["title"]!;
        Assert.Equal(DiscordEmbeds.TitleLimit, title.Length);
        Assert.EndsWith("…", title);
        var reason = (string)embed["fields"]!.AsArray().Single(f => (string?)f!["name"] == "Reason")!["value"]!;
        Assert.Equal(DiscordEmbeds.FieldValueLimit, reason.Length);
        Assert.EndsWith("…", reason);
        Assert.True(DiscordEmbeds.Length(embed) <= DiscordEmbeds.MessageCharacters);

        var huge = DiscordEmbeds.Fit(new JsonObject
        {
            ["title"] = new string('t', 1000),
            ["description"] = new string('d', 10_000),
            ["fields"] = new JsonArray([.. Enumerable.Range(0, 30).Select(i => (JsonNode)new JsonObject { ["name"] = $"f{i}", ["value"] = new string('v', 2000) })]),
        });
        Assert.Equal(DiscordEmbeds.FieldsLimit, huge["fields"]!.AsArray().Count);
        Assert.True(((string)huge["description"]!).Length <= DiscordEmbeds.DescriptionLimit);
        Assert.True(DiscordEmbeds.Length(huge) <= DiscordEmbeds.MessageCharacters, $"{DiscordEmbeds.Length(huge)} characters");
    }

    [Fact]
    public void Many_embeds_are_packed_into_messages_of_at_most_ten_and_6000_characters()
    {
        var small = Enumerable.Range(0, 23).Select(_ => DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload())).ToList();
        Assert.Equal([10, 10, 3], DiscordEmbeds.Messages(small).Select(m => m.Count));

        var large = Enumerable.Range(0, 5).Select(_ => DiscordEmbeds.Embed(OutboxKinds.VersionUploaded, Upload(reason: new string('r', 1500), content: new string('c', 2000)))).ToList();
        var messages = DiscordEmbeds.Messages(large).ToList();
        Assert.All(messages, m => Assert.True(m.Sum(i => DiscordEmbeds.Length(large[i])) <= DiscordEmbeds.MessageCharacters));
        Assert.Equal(Enumerable.Range(0, 5), messages.SelectMany(m => m));
    }
}
