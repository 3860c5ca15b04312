using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace PromptHub.Platform.Http;

/// <summary>`?page=&amp;pageSize=` of every list: page from 1, pageSize 1–200 (default 50).</summary>
public sealed record PageRequest(int Page, int PageSize)
{
    public const int MaxPageSize = 200;
    public int Skip => (Page - 1) * PageSize;

    public static ValueTask<PageRequest?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var validation = new Validation();
        var page = Parse(context, "page", 1, 1, 1_000_000, validation);
        var pageSize = Parse(context, "pageSize", 50, 1, MaxPageSize, validation);
        validation.ThrowIfInvalid();
        return ValueTask.FromResult<PageRequest?>(new PageRequest(page, pageSize));
    }

    static int Parse(HttpContext context, string name, int fallback, int min, int max, Validation validation)
    {
        var raw = context.Request.Query[name].ToString();
        if (raw.Length == 0) return fallback;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            validation.Add(name, $"must be a whole number from {min} to {max}");
        }
        return value;
    }
}

/// <summary>The shape of every list answer.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
