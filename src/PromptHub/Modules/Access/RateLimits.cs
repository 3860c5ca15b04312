using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PromptHub.Modules.Access;

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> sustained, <see cref="Burst"/> at once. No value: unlimited.</summary>
public sealed class RateLimit
{
    public int? PermitsPerSecond { get; set; }
    public int Burst { get; set; } = 100;
}

/// <summary>`PromptHub:RateLimits`: per key, by role. Reader keys are unlimited unless an operator sets one.</summary>
public sealed class RateLimitOptions
{
    public RateLimit Admin { get; set; } = new() { PermitsPerSecond = 20, Burst = 100 };
    public RateLimit Ops { get; set; } = new() { PermitsPerSecond = 20, Burst = 100 };
    public RateLimit Reader { get; set; } = new();

    public RateLimit For(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Admin => Admin,
        ApiKeyRole.Ops => Ops,
        _ => Reader,
    };
}

/// <summary>
/// Token buckets per key (System.Threading.RateLimiting, as ASP.NET Core's rate limiter uses), sized
/// by the key's role. A role without a limit — readers, by default — skips this step entirely, so
/// the serving path pays nothing for it.
/// </summary>
sealed class KeyRateLimits : IDisposable
{
    readonly RateLimitOptions _limits;
    readonly PartitionedRateLimiter<Caller> _buckets;

    public KeyRateLimits(IOptions<RateLimitOptions> options)
    {
        _limits = options.Value;
        _buckets = PartitionedRateLimiter.Create<Caller, Guid>(caller =>
        {
            var limit = _limits.For(caller.Role);
            return RateLimitPartition.GetTokenBucketLimiter(caller.KeyId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(limit.Burst, 1),
                TokensPerPeriod = limit.PermitsPerSecond ?? 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var caller = context.CallerOrNull();
        if (caller is null || _limits.For(caller.Role).PermitsPerSecond is not > 0) return next(context);
        using var lease = _buckets.AttemptAcquire(caller);
        if (lease.IsAcquired) return next(context);

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                Title = "Too many requests",
                Detail = $"This key is over its rate limit; retry after {seconds} s.",
            },
        }).AsTask();
    }

    public void Dispose() => _buckets.Dispose();
}
