using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>
/// One persistent connection to HAProxy's stats socket in <c>prompt</c> mode, where every reply
/// ends with <c>"\n&gt; "</c>. Commands are pipelined: a chunk of lines (kept under HAProxy's
/// 16 kB CLI buffer) is written at once and its replies read back in order, which is what makes
/// ~10⁵ commands/s possible where a connection per command manages ~10⁴ and socat ~70. Calls are
/// serialized. A connection HAProxy closed (a restart; 2.6 applies no <c>stats timeout</c> in
/// prompt mode) is noticed and replaced; after a reload the caller must <see cref="ReconnectAsync"/>.
/// </summary>
public sealed class RuntimeApiClient : IAsyncDisposable
{
    /// <summary>Bytes of command text written per chunk; HAProxy's CLI reads through a tune.bufsize (16 kB) buffer.</summary>
    public const int MaxChunkBytes = 8 * 1024;

    private static readonly byte[] Prompt = "\n> "u8.ToArray();

    private readonly string _socketPath;
    private readonly ILogger _log;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private readonly MemoryStream _reply = new();
    private readonly MemoryStream _send = new();
    private Socket? _socket;
    private int _promptMatched;
    private int _pending;
    private int _consumed;

    public RuntimeApiClient(string socketPath, ILogger? logger = null, TimeSpan? timeout = null)
    {
        _socketPath = socketPath;
        _log = logger ?? NullLogger.Instance;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public string SocketPath => _socketPath;

    /// <summary>Connections opened so far (a reconnect after an idle close counts).</summary>
    public int Connects { get; private set; }

    public async Task<RuntimeReply> ExecuteAsync(RuntimeCommand command, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync([command], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Sends <paramref name="commands"/> in order and returns one reply each. A command HAProxy
    /// refuses comes back with <c>Ok = false</c> and its message; the others still run. If the
    /// connection breaks mid-chunk, the commands without a reply are reported as failed (they may
    /// or may not have run) rather than sent twice.
    /// </summary>
    public async Task<IReadOnlyList<RuntimeReply>> ExecuteAsync(IReadOnlyList<RuntimeCommand> commands, CancellationToken cancellationToken = default)
    {
        var replies = new List<RuntimeReply>(commands.Count);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = 0;
            while (next < commands.Count)
            {
                var start = next;
                _send.SetLength(0);
                while (next < commands.Count)
                {
                    var line = Encoding.ASCII.GetBytes(commands[next].Text + "\n");
                    if (next > start && _send.Length + line.Length > MaxChunkBytes)
                        break;
                    _send.Write(line);
                    next++;
                }
                await SendChunkAsync(commands, start, next - start, replies, cancellationToken).ConfigureAwait(false);
            }
            return replies;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendChunkAsync(IReadOnlyList<RuntimeCommand> commands, int start, int count,
        List<RuntimeReply> replies, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var received = 0;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_timeout);
                var socket = await ConnectedAsync(timeout.Token).ConfigureAwait(false);
                await socket.SendAsync(_send.GetBuffer().AsMemory(0, (int)_send.Length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                for (; received < count; received++)
                {
                    var command = commands[start + received];
                    var output = await ReadReplyAsync(socket, timeout.Token).ConfigureAwait(false);
                    replies.Add(new RuntimeReply(command, output, command.IsSuccess(output)));
                }
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or EndOfStreamException or OperationCanceledException
                                      && !cancellationToken.IsCancellationRequested)
            {
                Disconnect();
                if (received == 0 && attempt == 0 && e is not OperationCanceledException)
                {
                    // Nothing was answered: the connection died before HAProxy read the chunk.
                    // Sending it again cannot run a command twice.
                    _log.LogDebug("Runtime API connection to [{Socket}] lost ({Error}); retrying once", _socketPath, e.Message);
                    continue;
                }
                var reason = e is OperationCanceledException ? $"no reply within {_timeout.TotalSeconds:0.#}s" : $"connection lost: {e.Message}";
                _log.LogWarning("Runtime API to [{Socket}] failed after [{Received}] of [{Count}] replies: {Reason}", _socketPath, received, count, reason);
                for (var i = received; i < count; i++)
                    replies.Add(RuntimeReply.Failed(commands[start + i], reason));
                return;
            }
        }
    }

    /// <summary>
    /// Drops the connection so the next command opens a new one. Needed after every reload: an
    /// open CLI connection stays with the old worker (and keeps it alive), so commands on it would
    /// change a process that no longer serves.
    /// </summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Disconnect();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when the open connection was closed by HAProxy; for tests.</summary>
    internal bool PeerClosed => _socket is { } open && open.Poll(0, SelectMode.SelectRead) && open.Available == 0;

    private async Task<Socket> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_socket is { } open)
        {
            // Readable with nothing to read means HAProxy closed it.
            if (!open.Poll(0, SelectMode.SelectRead) || open.Available > 0)
                return open;
            _log.LogDebug("Runtime API connection to [{Socket}] was closed by HAProxy; reconnecting", _socketPath);
            Disconnect();
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync("prompt\n"u8.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _promptMatched = 0;
            _reply.SetLength(0);
            await ReadReplyAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        Connects++;
        return socket;
    }

    /// <summary>Reads up to the next prompt; returns the output before it without its final newline.</summary>
    private async Task<string> ReadReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Consume what is buffered first: one read often carries several replies.
            if (TryTakeReply(out var reply))
                return reply;
            var read = await socket.ReceiveAsync(_readBuffer.AsMemory(_pending, _readBuffer.Length - _pending), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("HAProxy closed the runtime API connection");
            _pending += read;
        }
    }

    private bool TryTakeReply(out string reply)
    {
        while (_consumed < _pending)
        {
            var b = _readBuffer[_consumed++];
            _reply.WriteByte(b);
            _promptMatched = b == Prompt[_promptMatched] ? _promptMatched + 1 : (b == Prompt[0] ? 1 : 0);
            if (_promptMatched == Prompt.Length)
            {
                _promptMatched = 0;
                var length = (int)_reply.Length - Prompt.Length;
                if (length > 0 && _reply.GetBuffer()[length - 1] == (byte)'\n')
                    length--;
                reply = Encoding.UTF8.GetString(_reply.GetBuffer(), 0, Math.Max(0, length));
                _reply.SetLength(0);
                CompactIfDrained();
                return true;
            }
        }
        CompactIfDrained();
        reply = "";
        return false;
    }

    private void CompactIfDrained()
    {
        if (_consumed == _pending)
            _consumed = _pending = 0;
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
        _reply.SetLength(0);
        _promptMatched = 0;
        _pending = _consumed = 0;
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
