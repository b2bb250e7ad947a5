package io.ratehub.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The ratehub command line: {@code hub} runs a demo hub with a simulated market; {@code calculator} is a store's
 * counter calculator; {@code dashboard} sets spreads, overrides and thresholds and follows alerts; {@code tail} prints
 * a channel's events; {@code audit} verifies and queries an audit trail; {@code engine-demo} walks through the engine alone.
 */
@Command(name = "ratehub", mixinStandardHelpOptions = true, version = "ratehub 0.1.0",
        description = "Real-time currency-rate hub: demo server and tools.",
        subcommands = {HubCommand.class, CalculatorCommand.class, DashboardCommand.class, TailCommand.class, AuditCommand.class,
                io.ratehub.examples.load.BenchCommand.class, RateHubCli.EngineDemoCommand.class})
public final class RateHubCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new RateHubCli());
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.usage(c.getErr());
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The engine walk-through, as a subcommand. */
    @Command(name = "engine-demo", mixinStandardHelpOptions = true,
            description = "Walk through the engine on a simulated clock and write an audit trail.")
    static final class EngineDemoCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Parameters(arity = "0..1", description = "data directory (default: a new temporary one)")
        java.nio.file.Path dir;

        @Override
        public Integer call() throws Exception {
            EngineDemo.main(dir == null ? new String[0] : new String[] {dir.toString()});
            return 0;
        }
    }
}
