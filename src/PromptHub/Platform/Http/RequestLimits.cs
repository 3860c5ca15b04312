using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace PromptHub.Platform.Http;

/// <summary>
/// Bodies over 1 MiB answer 413: at once when the length is announced, else while reading. Wrapping
/// the body stream also keeps a connection usable after a malformed JSON body (with .NET 10's
/// PipeReader-based JSON reading, a JsonException left Kestrel's own reader mid-read and the
/// connection was dropped after the 400).
/// </summary>
static class RequestLimits
{
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>After routing: an endpoint may allow more (ingest batches), with <see cref="RequestSizeLimitAttribute"/> metadata.</summary>
    public static Task LimitBody(HttpContext context, RequestDelegate next)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"Request body too large: more than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            context.Request.Body = new CappedStream(context.Request.Body, limit);
        }
        return next(context);
    }

    sealed class CappedStream(Stream inner, long cap) : Stream
    {
        long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        int Count(int read)
        {
            _read += read;
            if (_read > cap) throw new BadHttpRequestException($"Request body too large: more than {cap} bytes.", StatusCodes.Status413PayloadTooLarge);
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
