package dev.sessions.local.api;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.sessions.local.LocalRuntimeException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** An HTTP server of the local runtime, bound and started, with a one-line error when it cannot be. */
final class Listener {

    private Listener() {
    }

    /**
     * @param port 0 for any free port
     * @throws LocalRuntimeException when the port is in use or cannot be bound
     */
    static HttpServer start(String host, int port, HttpHandler handler, Executor threads) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 128);
        } catch (BindException e) {
            throw new LocalRuntimeException("port " + port + " on " + host + " is in use: stop what holds it or pass"
                    + " --port");
        } catch (IOException e) {
            throw new LocalRuntimeException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        server.setExecutor(threads);
        server.createContext("/", handler);
        server.start();
        return server;
    }
}
