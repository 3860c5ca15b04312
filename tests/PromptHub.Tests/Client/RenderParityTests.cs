using PromptHub.Client;
using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Client;

/// <summary>The same prompt and variables give the same text from the server's render endpoint and from the client's local render.</summary>
public sealed class RenderParityTests(AppFactory app) : IClassFixture<AppFactory>
{
    static readonly object Variables = new
    {
        customer = new { name = "Ada Lovelace", tier = "gold", address = new { city = "London" } },
        question = "Where is my parcel?",
        items = new[] { new { sku = "A-1", qty = 2, price = 9.5 }, new { sku = "B-7", qty = 1, price = 120.0 } },
        tags = new[] { "urgent", "refund", "vip" },
        vip = true,
        retries = 0,
        score = 0.875,
        note = (string?)null,
    };

    public static TheoryData<string, string> Templates => new()
    {
        { "simple variables", "Hello {{ customer.name }}, you asked: {{ question }}" },
        { "members, nested", "{{ customer.name }} ({{ customer.tier }}) lives in {{ customer.address.city }}." },
        { "if / else if / else", "{{ if vip }}VIP{{ else if retries > 0 }}retry{{ else }}normal{{ end }} / {{ if note }}note{{ else }}no note{{ end }}" },
        { "loops with members and the loop object", "{{ for item in items }}{{ for.index }}: {{ item.sku }} x{{ item.qty }} at {{ item.price }}{{ if !for.last }}; {{ end }}{{ end }}" },
        { "pipes", "{{ customer.name | string.upcase }} / {{ tags | array.join ', ' }} / {{ question | string.truncate 8 }} / {{ score | math.round 1 }} / {{ tags | array.size }}" },
        { "assignments and whitespace control", "{{ total = 0 }}{{~ for item in items ~}}{{ total = total + item.qty * item.price }}{{~ end ~}} Total: {{ total }}" },
        { "numbers, booleans and null", "{{ retries }} {{ score }} {{ vip }} [{{ note }}] {{ items[1].price }}" },
        { "multi-line", "Dear {{ customer.name }},\n\n{{ for t in tags }}- {{ t }}\n{{ end }}\nRegards" },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task A_text_prompt_renders_the_same_locally_as_on_the_server(string feature, string template)
    {
        var name = $"client/parity/{feature.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal).Replace("/", "", StringComparison.Ordinal)}";
        var admin = app.Admin();
        await admin.CreatePromptAsync(name);
        await admin.UploadAsync(name, new { template });
        await admin.ActivateAsync(name, "production", 1);
        var reader = await app.CreateKeyAsync("reader");
        await using var client = await ClientHost.StartAsync(app, reader, o => o.StrictRendering = true);

        var served = await (await app.As(reader).RenderAsync(name, new { variables = Variables })).ReadJsonAsync(HttpStatusCode.OK);
        var local = (await client.Hub.GetPromptAsync(name)).Render(Variables);
        Assert.False(string.IsNullOrWhiteSpace(local));
        Assert.Equal((string)served["text"]!, local);
    }

    [Fact]
    public async Task A_chat_prompt_renders_the_same_messages_locally_as_on_the_server()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("client/parity/chat", type: "chat");
        await admin.UploadAsync("client/parity/chat", new
        {
            messages = new[]
            {
                new { role = "system", content = "You help {{ customer.name }}{{ if vip }}, a VIP{{ end }}. Tags: {{ tags | array.join ', ' }}." },
                new { role = "user", content = "{{ question }}" },
            },
        });
        await admin.ActivateAsync("client/parity/chat", "production", 1);
        var reader = await app.CreateKeyAsync("reader");
        await using var client = await ClientHost.StartAsync(app, reader);

        var served = await (await app.As(reader).RenderAsync("client/parity/chat", new { variables = Variables })).ReadJsonAsync(HttpStatusCode.OK);
        var local = (await client.Hub.GetPromptAsync("client/parity/chat")).RenderMessages(Variables);
        Assert.Equal(served["messages"]!.AsArray().Select(m => new PromptMessage((string)m!["role"]!, (string)m["content"]!)), local);
    }

    [Fact]
    public async Task An_include_renders_the_same_locally_from_the_inlined_template_as_on_the_server()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("client/parity/signature");
        await admin.UploadAsync("client/parity/signature", new { template = "-- {{ customer.name | string.capitalize }}, {{ customer.address.city }}", labels = new[] { "production" } });
        await admin.CreatePromptAsync("client/parity/mail");
        await admin.UploadAsync("client/parity/mail", new { template = "Dear {{ customer.name }},\n{{ include 'client/parity/signature' }}", labels = new[] { "production" } });
        var reader = await app.CreateKeyAsync("reader");
        await using var client = await ClientHost.StartAsync(app, reader, o => o.StrictRendering = true);

        var served = await (await app.As(reader).RenderAsync("client/parity/mail", new { variables = Variables })).ReadJsonAsync(HttpStatusCode.OK);
        var prompt = await client.Hub.GetPromptAsync("client/parity/mail");
        Assert.DoesNotContain("include", prompt.Template, StringComparison.Ordinal);
        Assert.Equal((string)served["text"]!, prompt.Render(Variables));
    }

    [Fact]
    public async Task A_liquid_prompt_renders_the_same_locally_as_on_the_server()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("client/parity/liquid");
        await admin.UploadAsync("client/parity/liquid", new
        {
            template = "Hello {{ customer.name | upcase }}{% if vip %} (VIP){% endif %}:{% for t in tags %} #{{ t }}{% endfor %} {{ question | downcase }}",
            templateFormat = "liquid",
            labels = new[] { "production" },
        });
        var reader = await app.CreateKeyAsync("reader");
        await using var client = await ClientHost.StartAsync(app, reader, o => o.StrictRendering = true);

        var served = await (await app.As(reader).RenderAsync("client/parity/liquid", new { variables = Variables })).ReadJsonAsync(HttpStatusCode.OK);
        var prompt = await client.Hub.GetPromptAsync("client/parity/liquid");
        Assert.Equal("liquid", prompt.TemplateFormat);
        Assert.Equal((string)served["text"]!, prompt.Render(Variables));
    }
}
