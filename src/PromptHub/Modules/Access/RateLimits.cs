using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

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

static class RateLimits
{
    public static void Configure(RateLimiterOptions options, RateLimitOptions limits)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, Guid>(context =>
        {
            var caller = context.CallerOrNull();
            var limit = caller is null ? null : limits.For(caller.Role);
            if (caller is null || limit?.PermitsPerSecond is not > 0)
            {
                return RateLimitPartition.GetNoLimiter(Guid.Empty);
            }
            return RateLimitPartition.GetTokenBucketLimiter(caller.KeyId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(limit.Burst, 1),
                TokensPerPeriod = limit.PermitsPerSecond.Value,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = $"This key is over its rate limit; retry after {seconds} s.",
                },
            });
        };
    }
}
