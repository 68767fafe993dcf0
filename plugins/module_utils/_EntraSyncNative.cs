// Copyright: (c) 2025, hybrid_identity.entra_sync contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

// Internal to hybrid_identity.entra_sync: read-only native calls that have no
// PowerShell cmdlet (LSA user-right holders, local managed service accounts).

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

//TypeAccelerator -Name EntraSync.LsaRights -TypeName LsaRights
//TypeAccelerator -Name EntraSync.ServiceAccountNative -TypeName ServiceAccountNative

namespace ansible_collections.hybrid_identity.entra_sync.plugins.module_utils._EntraSyncNative
{
    internal static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct LSA_OBJECT_ATTRIBUTES
        {
            public int Length;
            public IntPtr RootDirectory;
            public IntPtr ObjectName;
            public int Attributes;
            public IntPtr SecurityDescriptor;
            public IntPtr SecurityQualityOfService;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct LSA_UNICODE_STRING
        {
            public ushort Length;
            public ushort MaximumLength;
            public IntPtr Buffer;
        }

        [DllImport("advapi32.dll")]
        public static extern uint LsaOpenPolicy(
            IntPtr SystemName,
            ref LSA_OBJECT_ATTRIBUTES ObjectAttributes,
            int DesiredAccess,
            out IntPtr PolicyHandle);

        [DllImport("advapi32.dll")]
        public static extern uint LsaEnumerateAccountsWithUserRight(
            IntPtr PolicyHandle,
            ref LSA_UNICODE_STRING UserRight,
            out IntPtr Buffer,
            out uint CountReturned);

        [DllImport("advapi32.dll")]
        public static extern uint LsaFreeMemory(IntPtr Buffer);

        [DllImport("advapi32.dll")]
        public static extern uint LsaClose(IntPtr PolicyHandle);

        [DllImport("advapi32.dll")]
        public static extern int LsaNtStatusToWinError(uint Status);

        [DllImport("logoncli.dll", CharSet = CharSet.Unicode)]
        public static extern uint NetIsServiceAccount(
            string ServerName,
            string AccountName,
            [MarshalAs(UnmanagedType.Bool)] out bool IsService);
    }

    public static class LsaRights
    {
        private const int POLICY_VIEW_LOCAL_INFORMATION = 0x00000001;
        private const int POLICY_LOOKUP_NAMES = 0x00000800;
        private const uint STATUS_NO_MORE_ENTRIES = 0x8000001A;
        private const uint STATUS_NO_SUCH_PRIVILEGE = 0xC0000060;

        /// <summary>
        /// The S-1-... form of a binary SID (revision, sub-authority count, 48-bit big-endian identifier
        /// authority, then 32-bit sub-authorities in host order), as ConvertSidToStringSid writes it.
        /// Read here rather than through SecurityIdentifier, which only exists on Windows.
        /// </summary>
        public static string SidToString(IntPtr sid)
        {
            byte revision = Marshal.ReadByte(sid, 0);
            int count = Marshal.ReadByte(sid, 1);
            long authority = 0;
            for (int i = 2; i < 8; i++)
                authority = (authority << 8) | Marshal.ReadByte(sid, i);
            StringBuilder text = new StringBuilder();
            text.Append("S-").Append(revision).Append('-');
            // Authorities of 2^32 and above are written in hex (ConvertSidToStringSid's rule).
            if (authority >= 0x100000000L)
                text.AppendFormat("0x{0:X12}", authority);
            else
                text.Append(authority);
            for (int i = 0; i < count; i++)
                text.Append('-').Append((uint)Marshal.ReadInt32(sid, 8 + 4 * i));
            return text.ToString();
        }

        /// <summary>SIDs (string form) that hold a user right or privilege on this host.</summary>
        public static string[] GetHolders(string right)
        {
            NativeMethods.LSA_OBJECT_ATTRIBUTES attributes = new NativeMethods.LSA_OBJECT_ATTRIBUTES();
            IntPtr policy;
            uint status = NativeMethods.LsaOpenPolicy(IntPtr.Zero, ref attributes,
                POLICY_VIEW_LOCAL_INFORMATION | POLICY_LOOKUP_NAMES, out policy);
            if (status != 0)
                throw new Win32Exception(NativeMethods.LsaNtStatusToWinError(status), "LsaOpenPolicy failed");

            IntPtr rightBuffer = Marshal.StringToHGlobalUni(right);
            try
            {
                NativeMethods.LSA_UNICODE_STRING name = new NativeMethods.LSA_UNICODE_STRING();
                name.Buffer = rightBuffer;
                name.Length = (ushort)(right.Length * 2);
                name.MaximumLength = (ushort)((right.Length + 1) * 2);

                IntPtr buffer;
                uint count;
                status = NativeMethods.LsaEnumerateAccountsWithUserRight(policy, ref name, out buffer, out count);
                if (status == STATUS_NO_MORE_ENTRIES)
                    return new string[0];
                if (status == STATUS_NO_SUCH_PRIVILEGE)
                    throw new ArgumentException(String.Format("{0} is not a user right or privilege known to this host", right));
                if (status != 0)
                    throw new Win32Exception(NativeMethods.LsaNtStatusToWinError(status),
                        String.Format("LsaEnumerateAccountsWithUserRight({0}) failed", right));

                try
                {
                    List<string> sids = new List<string>();
                    for (int i = 0; i < count; i++)
                    {
                        // LSA_ENUMERATION_INFORMATION holds one PSID.
                        IntPtr sidPtr = Marshal.ReadIntPtr(buffer, i * IntPtr.Size);
                        sids.Add(SidToString(sidPtr));
                    }
                    return sids.ToArray();
                }
                finally
                {
                    NativeMethods.LsaFreeMemory(buffer);
                }
            }
            finally
            {
                Marshal.FreeHGlobal(rightBuffer);
                NativeMethods.LsaClose(policy);
            }
        }
    }

    public static class ServiceAccountNative
    {
        /// <summary>Whether a (group) managed service account is installed on this host.</summary>
        public static bool IsInstalled(string accountName)
        {
            bool isService;
            uint status = NativeMethods.NetIsServiceAccount(null, accountName, out isService);
            if (status != 0)
                throw new Win32Exception(NativeMethods.LsaNtStatusToWinError(status),
                    String.Format("NetIsServiceAccount({0}) failed", accountName));
            return isService;
        }
    }
}
