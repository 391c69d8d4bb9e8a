using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Regs.Drivers.Tests.VfioGuest;

namespace Regs.Drivers.Tests.BareMetal;

/// <summary>The UEFI image one <see cref="BareMetalImage.Build"/> produced, with the build's duration.</summary>
public sealed record BareMetalImageResult(string EfiPath, long Size, TimeSpan BuildTime);

/// <summary>
/// Builds drivers/Regs.BareMetal.Image with `dotnet build` (csc against Regs.BareMetal.CoreLib, ILC,
/// lld-link; incremental) in the test assembly's configuration and returns BOOTX64.EFI. The
/// Debian packages the build and boot need (lld, ovmf) are installed when missing and root;
/// otherwise the error names them.
/// </summary>
public static class BareMetalImage
{
    /// <summary>The image project, relative to the repository root.</summary>
    public const string Project = "drivers/Regs.BareMetal.Image/Regs.BareMetal.Image.csproj";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The firmware the boot uses (Debian package ovmf).</summary>
    public const string Ovmf = "/usr/share/ovmf/OVMF.fd";

    /// <summary>Installs lld (lld-link) and ovmf when missing (root), else throws naming them.</summary>
    public static void EnsurePrerequisites()
    {
        HostTools.EnsurePackages("the bare-metal image build (lld-link)", () => HostTools.Which("lld-link") is not null, new[] { "lld" });
        HostTools.EnsurePackages("the bare-metal boot (OVMF firmware)", () => File.Exists(Ovmf), new[] { "ovmf" });
    }

    /// <summary>Runs `dotnet build` on the image project and returns the EFI file it produced.</summary>
    public static BareMetalImageResult Build(Action<string>? log = null)
    {
        log ??= _ => { };
        string project = Path.Combine(HostTools.RepoRoot, Project);
        string dotnet = DotnetHost();
        var clock = Stopwatch.StartNew();
        // One build at a time per repository: the image shares obj folders (generator, core library).
        using (BuildLock(TimeSpan.FromMinutes(5)))
        {
            var (code, output) = HostTools.Run(dotnet, new[] { "build", project, "-c", Configuration, "-nologo", "-v:q", "-clp:ErrorsOnly" },
                TimeSpan.FromMinutes(5), environment: BuildEnvironment);
            if (code != 0) throw new InvalidOperationException($"dotnet build {Project} -c {Configuration} failed (exit {code}):\n{HostTools.Tail(output)}");
        }
        var buildTime = clock.Elapsed;
        string json = HostTools.RunChecked(dotnet, new[] { "msbuild", project, "-nologo", $"-p:Configuration={Configuration}", "-getProperty:RegsEfiImage" },
            TimeSpan.FromMinutes(1), environment: BuildEnvironment);
        string efi = json.Trim();
        if (efi.StartsWith('{')) efi = JsonDocument.Parse(efi).RootElement.GetProperty("Properties").GetProperty("RegsEfiImage").GetString() ?? "";
        if (!File.Exists(efi)) throw new InvalidOperationException($"the build of {Project} succeeded but left no EFI image at '{efi}'");
        long size = new FileInfo(efi).Length;
        log($"image {efi}: {size} bytes, dotnet build {buildTime.TotalSeconds:F1} s");
        return new BareMetalImageResult(efi, size, buildTime);
    }

    // A child `dotnet build` must not inherit the test host's MSBuild node settings.
    private static readonly System.Collections.Generic.Dictionary<string, string?> BuildEnvironment = new()
    {
        ["MSBUILDNOINPROCNODE"] = null,
        ["MSBuildExtensionsPath"] = null,
        ["MSBuildSDKsPath"] = null,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>An exclusive lock file in artifacts/baremetal, held while it lives (bounded wait).</summary>
    private static IDisposable BuildLock(TimeSpan timeout)
    {
        string path = Path.Combine(BareMetalBoot.ArtifactsDirectory, "build.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { System.Threading.Thread.Sleep(200); }
        }
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        return HostTools.Which("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH: the BareMetal test builds the image with `dotnet build`");
    }
}
