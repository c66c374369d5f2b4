package dev.sessions.adapter.redis;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One connection to Redis or Valkey speaking RESP2, over TCP or TLS. It connects lazily and
 * reconnects after a failure, so a client built during init survives a SnapStart restore.
 *
 * <p>Replies map to Java as: simple and bulk strings to {@link String} (UTF-8), a null bulk or
 * array to {@code null}, integers to {@link Long}, arrays to {@link List}, and error replies to
 * {@link RedisErrorReply}. An I/O failure or timeout is a {@link RedisUnavailableException}.
 *
 * <p>Thread-safe: calls are serialized. A Lambda environment runs one invocation at a time, so
 * one connection per environment is all it needs.
 */
public final class RedisConnection implements AutoCloseable {

    private final Settings settings;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /**
     * Where and how to connect.
     *
     * @param host the server's host name
     * @param port its port
     * @param tls whether to speak TLS (ElastiCache Serverless requires it), verifying the host name
     * @param user the ACL user, or {@code null} for the default user
     * @param password supplies the password or IAM token at each connect; {@code null} for none
     * @param connectTimeout bound on connecting
     * @param commandTimeout bound on waiting for each reply
     */
    public record Settings(String host, int port, boolean tls, String user, Supplier<String> password,
                           Duration connectTimeout, Duration commandTimeout) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(commandTimeout, "commandTimeout");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /**
         * Reads {@code redis://[user[:password]@]host[:port]} or {@code rediss://...} (TLS).
         *
         * @throws IllegalArgumentException naming what is wrong with the URL
         */
        public static Settings fromUrl(String url, Duration connectTimeout, Duration commandTimeout) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a Redis URL: " + url);
            }
            boolean tls = switch (String.valueOf(uri.getScheme())) {
                case "redis" -> false;
                case "rediss" -> true;
                default -> throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://");
            };
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("Redis URL has no host");
            }
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = parts[0].isEmpty() ? null : decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            String fixedPassword = password;
            return new Settings(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort(), tls, user,
                    fixedPassword == null ? null : () -> fixedPassword, connectTimeout, commandTimeout);
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Settings[" + (tls ? "rediss://" : "redis://") + host + ":" + port + "]";
        }
    }

    public RedisConnection(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Sends one command and returns its reply. After an I/O failure on a connection that had been
     * open (stale after a restore or an idle close), it reconnects and sends once more, so send
     * only commands that are safe to repeat; every command this project sends is.
     *
     * @param args the command and its arguments: {@link String}, {@code byte[]} or a number
     */
    public synchronized Object call(Object... args) {
        byte[] request = encode(args);
        boolean wasOpen = socket != null;
        try {
            return exchange(request);
        } catch (IOException first) {
            disconnect();
            if (!wasOpen) {
                throw new RedisUnavailableException("Redis unavailable at " + settings, first);
            }
            try {
                return exchange(request);
            } catch (IOException second) {
                disconnect();
                second.addSuppressed(first);
                throw new RedisUnavailableException("Redis unavailable at " + settings, second);
            }
        }
    }

    /** Sends several commands in one round trip and returns their replies in order (error replies included). */
    public synchronized List<Object> pipeline(List<Object[]> commands) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        for (Object[] command : commands) {
            request.writeBytes(encode(command));
        }
        try {
            connectIfNeeded();
            out.write(request.toByteArray());
            out.flush();
            List<Object> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(readReplyKeepingErrors());
            }
            return replies;
        } catch (IOException e) {
            disconnect();
            throw new RedisUnavailableException("Redis unavailable at " + settings, e);
        }
    }

    private Object exchange(byte[] request) throws IOException {
        connectIfNeeded();
        out.write(request);
        out.flush();
        Object reply = readReplyKeepingErrors();
        if (reply instanceof RedisErrorReply error) {
            throw error;
        }
        return reply;
    }

    private void connectIfNeeded() throws IOException {
        if (socket != null) {
            return;
        }
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(settings.host(), settings.port()),
                    (int) settings.connectTimeout().toMillis());
            plain.setSoTimeout((int) settings.commandTimeout().toMillis());
            Socket connected = plain;
            if (settings.tls()) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, settings.host(), settings.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                connected = tls;
            }
            socket = connected;
            in = new java.io.BufferedInputStream(connected.getInputStream(), 16 * 1024);
            out = new java.io.BufferedOutputStream(connected.getOutputStream(), 16 * 1024);
            if (settings.password() != null) {
                String password = settings.password().get();
                Object[] auth = settings.user() == null
                        ? new Object[] {"AUTH", password}
                        : new Object[] {"AUTH", settings.user(), password};
                out.write(encode(auth));
                out.flush();
                if (readReplyKeepingErrors() instanceof RedisErrorReply error) {
                    throw new IOException("AUTH refused: " + error.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                plain.close();
            } catch (IOException ignored) {
                // already failing
            }
            socket = null;
            throw e;
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public synchronized void close() {
        disconnect();
    }

    static byte[] encode(Object[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
        buffer.write('*');
        writeDecimal(buffer, args.length);
        for (Object arg : args) {
            byte[] bytes = switch (arg) {
                case byte[] b -> b;
                case String s -> s.getBytes(StandardCharsets.UTF_8);
                case Number n -> n.toString().getBytes(StandardCharsets.US_ASCII);
                case null -> throw new IllegalArgumentException("null argument");
                default -> throw new IllegalArgumentException("unsupported argument type " + arg.getClass().getName());
            };
            buffer.write('$');
            writeDecimal(buffer, bytes.length);
            buffer.writeBytes(bytes);
            buffer.write('\r');
            buffer.write('\n');
        }
        return buffer.toByteArray();
    }

    private static void writeDecimal(ByteArrayOutputStream buffer, long value) {
        buffer.writeBytes(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        buffer.write('\r');
        buffer.write('\n');
    }

    private Object readReplyKeepingErrors() throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("connection closed by server");
        }
        String line = readLine();
        return switch (type) {
            case '+' -> line;
            case '-' -> new RedisErrorReply(line);
            case ':' -> Long.parseLong(line);
            case '$' -> readBulk(Integer.parseInt(line));
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReplyKeepingErrors());
                }
                yield items;
            }
            default -> throw new IOException("unexpected RESP type byte " + type);
        };
    }

    private String readBulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("truncated bulk reply");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(16);
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed mid-reply");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed RESP line");
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }
}
