using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using Regs.Runtime.Hosted;
using Regs.Runtime.Qtest;
using Regs.Runtime.Vfio;

namespace Regs.Demo;

/// <summary>
/// Brings up an igb (82576) and a virtio-net-pci NIC with the Regs drivers and has them exchange
/// ARP and ICMP echo with each other (and with slirp's gateway 10.0.2.2 on QEMU), on the backend
/// chosen with --backend.
/// </summary>
public static class Program
{
    /// <summary>Exit code when every exchange succeeded.</summary>
    public const int Succeeded = 0;
    /// <summary>Exit code when a NIC did not come up or an exchange failed.</summary>
    public const int ExchangeFailed = 1;
    /// <summary>Exit code for a usage error or a backend that is not available here (no QEMU, no VFIO).</summary>
    public const int Unavailable = 2;

    /// <summary>Entry point; returns <see cref="Succeeded"/>, <see cref="ExchangeFailed"/> or <see cref="Unavailable"/>.</summary>
    public static int Main(string[] args)
    {
        var backend = new Option<string>("--backend")
        {
            Description = "Where the NICs are: model = in-process device models of both NICs, cabled back to back (no QEMU, no root); "
                + "qemu = QEMU 10's igb and virtio-net-pci through qtest, on one hub with slirp's gateway; "
                + "vfio = real NICs (or a VM's) bound to vfio-pci, named with --device",
            DefaultValueFactory = _ => "model",
        };
        backend.AcceptOnlyFromAmong("model", "qemu", "vfio");
        var devices = new Option<string[]>("--device")
        {
            Description = "vfio: the PCI address (BDF, e.g. 0000:00:03.0) of an 82576 or a modern virtio-net-pci; give it once or twice",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "BDF",
        };
        var gateway = new Option<bool>("--gateway") { Description = "vfio: also ARP for and ping 10.0.2.2 (slirp's gateway in a QEMU guest); qemu always does" };
        var interrupts = new Option<bool>("--interrupts") { Description = "Sleep on the devices' interrupts instead of polling" };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the drivers do" };

        var root = new RootCommand("Regs demo: an igb (82576) and a virtio-net NIC, driven by the same C# drivers on any backend, "
            + "resolve and ping each other (and slirp's gateway on QEMU).\n"
            + $"Exit codes: {Succeeded} every exchange succeeded, {ExchangeFailed} one failed, {Unavailable} usage error or backend not available.")
        {
            backend, devices, gateway, interrupts, verbose,
        };
        root.Subcommands.Add(TapMode.Create());
        root.SetAction(parse =>
        {
            ConsoleLog.Enabled = parse.GetValue(verbose);
            bool interruptMode = parse.GetValue(interrupts);
            try
            {
                return parse.GetValue(backend) switch
                {
                    "qemu" => QemuBackend.Run(interruptMode),
                    "vfio" => VfioBackend.Run(parse.GetValue(devices) ?? Array.Empty<string>(), interruptMode, parse.GetValue(gateway)),
                    _ => ModelBackend.Run(interruptMode),
                };
            }
            catch (Exception e) when (e is QemuUnavailableException or VfioException)
            {
                Console.Error.WriteLine($"regs demo: {e.Message}");
                return Unavailable;
            }
        });
        ParseResult result = root.Parse(args);
        int code = result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        // System.CommandLine reports usage errors with 1, which means "an exchange failed" here.
        return result.Action is ParseErrorAction ? Unavailable : code;
    }

    /// <summary>A usage problem found after parsing: the message and <see cref="Unavailable"/>.</summary>
    internal static int Usage(string message)
    {
        Console.Error.WriteLine($"regs demo: {message}");
        return Unavailable;
    }
}
