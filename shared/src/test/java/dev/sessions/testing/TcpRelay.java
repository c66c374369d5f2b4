package dev.sessions.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a real server (redis-server, say): tests talk through it, and
 * {@link #cut()} cuts every connection and drops each new one, so the server becomes unreachable
 * mid-test exactly as in an outage, with no mock in between. The relay keeps its port while cut:
 * a port given back could be taken by another server, or by a client's own reconnect (a loopback
 * connect to a free ephemeral port can connect to itself), and then something would answer.
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    private TcpRelay(ServerSocket listener, String targetHost, int targetPort) {
        this.listener = listener;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    public static TcpRelay start(String targetHost, int targetPort) {
        try {
            TcpRelay relay = new TcpRelay(new ServerSocket(0, 16, InetAddress.getLoopbackAddress()), targetHost, targetPort);
            Thread.ofVirtual().name("relay-accept").start(relay::accept);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (cut) {
                    client.close(); // the outage: accepted and dropped at once, never relayed
                    continue;
                }
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server));
                Thread.ofVirtual().start(() -> pump(server, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // one side went away: the other follows
        } finally {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Cuts every connection and drops each new one: the server is unreachable from here on. */
    public void cut() {
        cut = true;
        closeConnections();
    }

    /** Stops listening and cuts every connection. */
    @Override
    public void close() {
        cut = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        closeConnections();
    }

    private void closeConnections() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
