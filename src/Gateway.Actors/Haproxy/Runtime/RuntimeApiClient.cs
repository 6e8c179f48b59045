using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>
/// One persistent connection to HAProxy's stats socket in <c>prompt</c> mode, where every reply
/// ends with <c>"\n&gt; "</c>. Commands are pipelined: they go out in chunks kept under HAProxy's
/// 16 kB CLI buffer, one chunk ahead of the replies being read, and the replies come back in
/// order — which is what makes ~10⁵ commands/s possible where a connection per command manages
/// ~10⁴ and socat ~70. Calls are serialized. A connection HAProxy closed (a restart; 2.6 applies
/// no <c>stats timeout</c> in prompt mode) is noticed and replaced; after a reload the caller must
/// <see cref="ReconnectAsync"/>.
/// </summary>
public sealed class RuntimeApiClient : IAsyncDisposable
{
    /// <summary>Bytes of command text per chunk; HAProxy's CLI reads through a tune.bufsize (16 kB) buffer.</summary>
    public const int MaxChunkBytes = 8 * 1024;

    private static readonly byte[] Prompt = "\n> "u8.ToArray();

    private readonly string _socketPath;
    private readonly ILogger _log;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _send = new(MaxChunkBytes * 2);
    private readonly List<(int Bytes, int Commands)> _chunks = [];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private Socket? _socket;

    public RuntimeApiClient(string socketPath, ILogger? logger = null, TimeSpan? timeout = null)
    {
        _socketPath = socketPath;
        _log = logger ?? NullLogger.Instance;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public string SocketPath => _socketPath;

    /// <summary>Connections opened so far (a reconnect counts).</summary>
    public int Connects { get; private set; }

    /// <summary>True when the open connection was closed by HAProxy; for tests.</summary>
    internal bool PeerClosed => _socket is { } open && open.Poll(0, SelectMode.SelectRead) && open.Available == 0;

    public async Task<RuntimeReply> ExecuteAsync(RuntimeCommand command, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync([command], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Sends <paramref name="commands"/> in order and returns one reply each. A command HAProxy
    /// refuses comes back with <c>Ok = false</c> and its message; the others still run. If the
    /// connection breaks after some replies, the commands without one are reported as failed
    /// (they may or may not have run) rather than sent twice.
    /// </summary>
    public async Task<IReadOnlyList<RuntimeReply>> ExecuteAsync(IReadOnlyList<RuntimeCommand> commands, CancellationToken cancellationToken = default)
    {
        var replies = new List<RuntimeReply>(commands.Count);
        if (commands.Count == 0)
            return replies;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Encode(commands);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await ExchangeAsync(commands, replies, cancellationToken).ConfigureAwait(false);
                    return replies;
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException
                                          && !cancellationToken.IsCancellationRequested)
                {
                    Disconnect();
                    if (replies.Count == 0 && attempt == 0 && e is not OperationCanceledException)
                    {
                        // Nothing was answered: the connection died before HAProxy read anything.
                        _log.LogDebug("Runtime API connection to [{Socket}] lost ({Error}); retrying once", _socketPath, e.Message);
                        continue;
                    }
                    var reason = e is OperationCanceledException ? $"no reply within {_timeout.TotalSeconds:0.#}s" : $"connection lost: {e.Message}";
                    _log.LogWarning("Runtime API to [{Socket}] failed after [{Received}] of [{Count}] replies: {Reason}",
                        _socketPath, replies.Count, commands.Count, reason);
                    for (var i = replies.Count; i < commands.Count; i++)
                        replies.Add(RuntimeReply.Failed(commands[i], reason));
                    return replies;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes every command line into one buffer, cut into chunks of at most <see cref="MaxChunkBytes"/>.</summary>
    private void Encode(IReadOnlyList<RuntimeCommand> commands)
    {
        _send.ResetWrittenCount();
        _chunks.Clear();
        var (chunkStart, chunkCommands) = (0, 0);
        foreach (var command in commands)
        {
            var length = Encoding.ASCII.GetByteCount(command.Text) + 1;
            if (chunkCommands > 0 && _send.WrittenCount - chunkStart + length > MaxChunkBytes)
            {
                _chunks.Add((_send.WrittenCount - chunkStart, chunkCommands));
                (chunkStart, chunkCommands) = (_send.WrittenCount, 0);
            }
            var span = _send.GetSpan(length);
            Encoding.ASCII.GetBytes(command.Text, span);
            span[length - 1] = (byte)'\n';
            _send.Advance(length);
            chunkCommands++;
        }
        _chunks.Add((_send.WrittenCount - chunkStart, chunkCommands));
    }

    /// <summary>Keeps one chunk in flight ahead of the replies being read; each chunk gets the full timeout.</summary>
    private async Task ExchangeAsync(IReadOnlyList<RuntimeCommand> commands, List<RuntimeReply> replies, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var socket = await ConnectedAsync(timeout.Token).ConfigureAwait(false);
        var written = _send.WrittenMemory;
        var offset = 0;
        var sent = 0;
        async Task SendNextAsync()
        {
            var bytes = _chunks[sent++].Bytes;
            await socket.SendAsync(written.Slice(offset, bytes), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            offset += bytes;
        }

        await SendNextAsync().ConfigureAwait(false);
        var command = 0;
        for (var chunk = 0; chunk < _chunks.Count; chunk++)
        {
            if (sent < _chunks.Count)
                await SendNextAsync().ConfigureAwait(false);
            for (var i = 0; i < _chunks[chunk].Commands; i++, command++)
            {
                var output = await ReadReplyAsync(socket, timeout.Token).ConfigureAwait(false);
                replies.Add(new RuntimeReply(commands[command], output, commands[command].IsSuccess(output)));
            }
            timeout.CancelAfter(_timeout);
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
            await ReadReplyAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            _start = _end = 0;
            throw;
        }
        _socket = socket;
        Connects++;
        return socket;
    }

    /// <summary>Reads up to the next prompt; returns the output before it without its final newline.</summary>
    private async Task<string> ReadReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        var searchFrom = _start;
        while (true)
        {
            var found = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf(Prompt);
            if (found >= 0)
            {
                var stop = searchFrom + found;
                var length = stop - _start;
                if (length > 0 && _buffer[stop - 1] == (byte)'\n')
                    length--;
                var reply = length == 0 ? "" : Encoding.UTF8.GetString(_buffer, _start, length);
                _start = stop + Prompt.Length;
                if (_start == _end)
                    _start = _end = 0;
                return reply;
            }
            // A prompt may straddle two reads: search again from its possible start.
            searchFrom = Math.Max(_start, _end - (Prompt.Length - 1));
            if (_end == _buffer.Length)
                MakeRoom(ref searchFrom);
            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("HAProxy closed the runtime API connection");
            _end += read;
        }
    }

    /// <summary>Moves unread bytes to the front, or doubles the buffer when one reply fills it.</summary>
    private void MakeRoom(ref int searchFrom)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            searchFrom -= _start;
            _end -= _start;
            _start = 0;
        }
        else
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
