// A JeroMQ 0.3.6 peer (ZMTP 2.0) for cafmq's legacy interop tests (tests/interop/jeromq_*_test.cpp).
// One JVM runs one scenario:  java -cp jeromq.jar:DIR JeromqPeer SCENARIO bind|connect ENDPOINT FLAG
// It prints "OK" on stdout and exits 0 when its side of the scenario went as expected, else
// prints "FAIL <why>" and exits 1. Every receive has a deadline; loops that wait for cafmq end
// when the test creates the file FLAG.
import org.zeromq.ZMQ;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class JeromqPeer {
  static final int RECV_TIMEOUT_MS = 10000;
  static final int BIG = 1 << 20;

  static String flagPath;

  public static void main(String[] args) {
    if (args.length != 4) {
      System.out.println("FAIL usage: JeromqPeer SCENARIO bind|connect ENDPOINT FLAG");
      System.exit(2);
    }
    flagPath = args[3];
    ZMQ.Context ctx = ZMQ.context(1);
    int code = 0;
    try {
      run(ctx, args[0], args[1].equals("bind"), args[2]);
      System.out.println("OK");
    } catch (Exception e) {
      System.out.println("FAIL " + e.getMessage());
      code = 1;
    }
    System.out.flush();
    ctx.term();
    System.exit(code);
  }

  static ZMQ.Socket open(ZMQ.Context ctx, int type, boolean bind, String ep, String identity) {
    ZMQ.Socket s = ctx.socket(type);
    s.setLinger(1000);
    s.setReceiveTimeOut(RECV_TIMEOUT_MS);
    if (identity != null)
      s.setIdentity(bytes(identity));
    if (type == ZMQ.SUB)
      s.subscribe(bytes("A."));
    if (bind)
      s.bind(ep);
    else
      s.connect(ep);
    return s;
  }

  static void run(ZMQ.Context ctx, String scenario, boolean bind, String ep) throws Exception {
    switch (scenario) {
      case "pull": {  // cafmq PUSH -> us: the stream of messages()
        ZMQ.Socket s = open(ctx, ZMQ.PULL, bind, ep, null);
        for (List<byte[]> want : messages())
          expect(recvMessage(s), want);
        s.close();
        return;
      }
      case "push": {  // us -> cafmq PULL
        ZMQ.Socket s = open(ctx, ZMQ.PUSH, bind, ep, null);
        for (List<byte[]> m : messages())
          sendMessage(s, m);
        waitForFlag();
        s.close();
        return;
      }
      case "sub": {  // cafmq PUB sends "B.no" and "A.<n>" until we are done: we see only A.
        ZMQ.Socket s = open(ctx, ZMQ.SUB, bind, ep, null);
        for (int i = 0; i < 3; ++i) {
          List<byte[]> m = recvMessage(s);
          if (!text(m.get(0)).startsWith("A."))
            throw new Exception("subscription filter let through " + text(m.get(0)));
        }
        s.close();
        return;
      }
      case "pub": {  // us -> cafmq SUB subscribed to "A.", until the test says it has enough
        ZMQ.Socket s = open(ctx, ZMQ.PUB, bind, ep, null);
        for (int n = 0; !flagExists(); ++n) {
          if (n > 1000)
            throw new Exception("cafmq SUB never said it had its messages");
          s.send(bytes("B.no"), 0);
          s.send(bytes("A." + n), 0);
          Thread.sleep(10);
        }
        s.close();
        return;
      }
      case "rep": {  // cafmq REQ asks, we answer "re:" + request (multipart, empty frames kept)
        ZMQ.Socket s = open(ctx, ZMQ.REP, bind, ep, null);
        for (int i = 0; i < 3; ++i) {
          List<byte[]> req = recvMessage(s);
          List<byte[]> rep = new ArrayList<>(req);
          rep.set(0, bytes("re:" + text(req.get(0))));
          sendMessage(s, rep);
        }
        waitForFlag();
        s.close();
        return;
      }
      case "req": {  // us asking cafmq REP, which answers "re:" + request
        ZMQ.Socket s = open(ctx, ZMQ.REQ, bind, ep, null);
        for (int i = 0; i < 3; ++i) {
          sendMessage(s, Arrays.asList(bytes("q" + i), bytes(""), bytes("tail")));
          expect(recvMessage(s), Arrays.asList(bytes("re:q" + i), bytes(""), bytes("tail")));
        }
        s.close();
        return;
      }
      case "router": {  // cafmq DEALER "cafmq-dealer" says hello; we answer by its routing id
        ZMQ.Socket s = open(ctx, ZMQ.ROUTER, bind, ep, null);
        List<byte[]> m = recvMessage(s);
        expect(m, Arrays.asList(bytes("cafmq-dealer"), bytes("hello"), bytes("")));
        sendMessage(s, Arrays.asList(bytes("cafmq-dealer"), bytes("back"), bytes(""), big()));
        waitForFlag();
        s.close();
        return;
      }
      case "dealer": {  // us, DEALER "jeromq-dealer", to a cafmq ROUTER that answers by our id
        ZMQ.Socket s = open(ctx, ZMQ.DEALER, bind, ep, "jeromq-dealer");
        sendMessage(s, Arrays.asList(bytes("hello"), bytes(""), big()));
        expect(recvMessage(s), Arrays.asList(bytes("back"), bytes("")));
        s.close();
        return;
      }
      case "push-refused": {  // a 2.0 PUSH to a PLAIN cafmq PULL: refused, nothing arrives
        ZMQ.Socket s = open(ctx, ZMQ.PUSH, bind, ep, null);
        s.setSendTimeOut(0);
        s.send(bytes("must not arrive"), ZMQ.DONTWAIT);
        waitForFlag();
        s.close();
        return;
      }
      default:
        throw new Exception("unknown scenario " + scenario);
    }
  }

  // The PUSH/PULL stream: single frames, multipart with empty frames, and a 1 MiB frame.
  static List<List<byte[]>> messages() {
    List<List<byte[]>> all = new ArrayList<>();
    for (int i = 0; i < 5; ++i)
      all.add(Arrays.asList(bytes("m" + i)));
    all.add(Arrays.asList(bytes("multi"), bytes(""), bytes("part"), bytes("")));
    all.add(Arrays.asList(big()));
    all.add(Arrays.asList(bytes("last")));
    return all;
  }

  // 1 MiB whose bytes are i % 251: a misplaced byte shows.
  static byte[] big() {
    byte[] b = new byte[BIG];
    for (int i = 0; i < BIG; ++i)
      b[i] = (byte) (i % 251);
    return b;
  }

  static void sendMessage(ZMQ.Socket s, List<byte[]> m) throws Exception {
    for (int i = 0; i < m.size(); ++i)
      if (!s.send(m.get(i), i + 1 < m.size() ? ZMQ.SNDMORE : 0))
        throw new Exception("send failed");
  }

  static List<byte[]> recvMessage(ZMQ.Socket s) throws Exception {
    List<byte[]> m = new ArrayList<>();
    do {
      byte[] f = s.recv(0);
      if (f == null)
        throw new Exception("nothing received within " + RECV_TIMEOUT_MS + " ms (after "
                            + m.size() + " frames)");
      m.add(f);
    } while (s.hasReceiveMore());
    return m;
  }

  static void expect(List<byte[]> got, List<byte[]> want) throws Exception {
    boolean same = got.size() == want.size();
    for (int i = 0; same && i < got.size(); ++i)
      same = Arrays.equals(got.get(i), want.get(i));
    if (!same)
      throw new Exception("expected " + show(want) + ", received " + show(got));
  }

  static String show(List<byte[]> m) {
    StringBuilder b = new StringBuilder("[");
    for (byte[] f : m)
      b.append(b.length() > 1 ? "," : "").append(f.length > 32 ? f.length + " bytes" : "'" + text(f) + "'");
    return b.append("]").toString();
  }

  static boolean flagExists() {
    return new File(flagPath).exists();
  }

  // Keeps the socket open until the test has seen what it needed (bounded).
  static void waitForFlag() throws Exception {
    for (int i = 0; !flagExists(); ++i) {
      if (i > 2000)
        throw new Exception("the test never created " + flagPath);
      Thread.sleep(5);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
