/*
 * The lab's Windows native calls, as a Linux shared object (built as advapi32.dll and logoncli.dll).
 *
 * The collection's C# util (plugins/module_utils/_EntraSyncNative.cs) calls LSA and NetIsServiceAccount
 * through [DllImport("advapi32.dll")] / [DllImport("logoncli.dll")]. On Linux, .NET resolves those
 * names to a shared object of that literal name on LD_LIBRARY_PATH: this one. It answers from the
 * host description the lab's pwsh was started with (WINSIM_SCENARIO, JSON, WinSim's format):
 *   rights.<Se...Right>                       SID strings holding the right
 *   active_directory.installed_service_accounts  names NetIsServiceAccount says are installed
 *   failures[]: { "command": "Get-EntraSyncRightHolderSid" | "Test-EntraSyncServiceAccountInstalled",
 *                 "error": "access_denied" | "rpc_unavailable" | "timeout" | ..., "match": { "Right": "<glob>" } }
 *     the failure of the module_util function each call serves, given as the NTSTATUS Windows returns.
 * Only what the C# util calls is here, with the status codes of the Windows SDK (ntstatus.h).
 *
 *   cc -shared -fPIC -O2 -o advapi32.dll winsim_native.c   (tests/windows_sim/lab/New-WinSimLabRuntime.ps1)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef uint32_t NTSTATUS;
#define STATUS_SUCCESS 0x00000000u
#define STATUS_NO_MORE_ENTRIES 0x8000001Au
#define STATUS_UNSUCCESSFUL 0xC0000001u
#define STATUS_ACCESS_DENIED 0xC0000022u
#define STATUS_NO_SUCH_PRIVILEGE 0xC0000060u
#define STATUS_IO_TIMEOUT 0xC00000B5u
#define RPC_NT_SERVER_UNAVAILABLE 0xC0020017u

/* ------------------------------------------------------------------ a small JSON reader */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jval {
    jtype type;
    char *str;            /* J_STR: UTF-8; J_OBJ member: key */
    int boolean;
    struct jval *child;   /* J_ARR / J_OBJ: first element */
    struct jval *next;    /* sibling */
    char *key;
} jval;

static const char *skip(const char *p) { while (*p && isspace((unsigned char)*p)) p++; return p; }

static char *parse_string(const char **pp) {
    const char *p = *pp + 1;
    size_t cap = 64, n = 0;
    char *out = malloc(cap);
    while (*p && *p != '"') {
        unsigned c = (unsigned char)*p++;
        if (c == '\\') {
            char e = *p++;
            if (e == 'u') {
                unsigned code = 0;
                for (int i = 0; i < 4 && *p; i++, p++)
                    code = code * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
                /* names and SIDs here are ASCII; anything else is kept as '?' */
                c = code < 0x80 ? code : '?';
            } else {
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : (unsigned char)e;
            }
        }
        if (n + 2 > cap) out = realloc(out, cap *= 2);
        out[n++] = (char)c;
    }
    out[n] = 0;
    *pp = *p ? p + 1 : p;
    return out;
}

static jval *parse_value(const char **pp);

static jval *parse_container(const char **pp, int object) {
    jval *v = calloc(1, sizeof *v), **tail = &v->child;
    v->type = object ? J_OBJ : J_ARR;
    const char *p = skip(*pp + 1);
    while (*p && *p != (object ? '}' : ']')) {
        char *key = NULL;
        if (object) {
            if (*p != '"') break;
            key = parse_string(&p);
            p = skip(p);
            if (*p == ':') p++;
        }
        jval *item = parse_value(&p);
        if (!item) { free(key); break; }
        item->key = key;
        *tail = item;
        tail = &item->next;
        p = skip(p);
        if (*p == ',') p = skip(p + 1);
    }
    *pp = *p ? p + 1 : p;
    return v;
}

static jval *parse_value(const char **pp) {
    const char *p = skip(*pp);
    jval *v = NULL;
    if (*p == '{' || *p == '[') {
        v = parse_container(&p, *p == '{');
    } else if (*p == '"') {
        v = calloc(1, sizeof *v);
        v->type = J_STR;
        v->str = parse_string(&p);
    } else if (*p) {
        v = calloc(1, sizeof *v);
        if (!strncmp(p, "true", 4)) { v->type = J_BOOL; v->boolean = 1; }
        else if (!strncmp(p, "false", 5)) { v->type = J_BOOL; }
        else if (!strncmp(p, "null", 4)) { v->type = J_NULL; }
        else { v->type = J_NUM; }
        while (*p && !strchr(",]}", *p) && !isspace((unsigned char)*p)) p++;
    }
    *pp = p;
    return v;
}

static jval *member(jval *object, const char *key) {
    if (!object || object->type != J_OBJ) return NULL;
    for (jval *m = object->child; m; m = m->next)
        if (m->key && !strcmp(m->key, key)) return m;
    return NULL;
}

/* The host description, read once per process (each module run is a new process). */
static jval *host(void) {
    static jval *root;
    static int loaded;
    if (loaded) return root;
    loaded = 1;
    const char *path = getenv("WINSIM_SCENARIO");
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, f);
    text[got] = 0;
    fclose(f);
    const char *p = text;
    if (got >= 3 && (unsigned char)p[0] == 0xEF) p += 3; /* UTF-8 BOM */
    root = parse_value(&p);
    return root;
}

/* The failure the description asks for on this call, as an NTSTATUS; 0 when none. */
static NTSTATUS failure_for(const char *command, const char *match_key, const char *value) {
    jval *failures = member(host(), "failures");
    for (jval *f = failures ? failures->child : NULL; f; f = f->next) {
        jval *c = member(f, "command"), *e = member(f, "error"), *m = member(f, "match");
        if (!c || c->type != J_STR || strcmp(c->str, command)) continue;
        jval *want = m ? member(m, match_key) : NULL;
        if (m && m->child && (!want || want->type != J_STR || fnmatch(want->str, value, FNM_CASEFOLD))) continue;
        const char *kind = e && e->type == J_STR ? e->str : "";
        if (!strcmp(kind, "access_denied")) return STATUS_ACCESS_DENIED;
        if (!strcmp(kind, "rpc_unavailable") || !strcmp(kind, "server_down")) return RPC_NT_SERVER_UNAVAILABLE;
        if (!strcmp(kind, "timeout")) return STATUS_IO_TIMEOUT;
        return STATUS_UNSUCCESSFUL;
    }
    return 0;
}

/* UTF-16 (what .NET hands over for LSA_UNICODE_STRING and CharSet.Unicode) to ASCII. */
static void narrow(const uint16_t *wide, size_t length, char *out, size_t cap) {
    size_t i = 0;
    for (; wide && i < length && wide[i] && i + 1 < cap; i++) out[i] = wide[i] < 0x80 ? (char)wide[i] : '?';
    out[i] = 0;
}

/* ------------------------------------------------------------------ advapi32: LSA */

typedef struct { uint16_t Length, MaximumLength; uint16_t *Buffer; } LSA_UNICODE_STRING;

NTSTATUS LsaOpenPolicy(void *system_name, void *attributes, int access, void **policy) {
    (void)system_name; (void)attributes; (void)access;
    *policy = (void *)0x1a5a; /* a handle the calls below accept */
    return STATUS_SUCCESS;
}

NTSTATUS LsaClose(void *policy) { (void)policy; return STATUS_SUCCESS; }

NTSTATUS LsaFreeMemory(void *buffer) { free(buffer); return STATUS_SUCCESS; }

/* The user rights and privileges Windows knows (ntsecapi.h / winnt.h): any other name is STATUS_NO_SUCH_PRIVILEGE. */
static int known_right(const char *name) {
    size_t n = strlen(name);
    return n > 2 && !strncmp(name, "Se", 2) &&
           ((n > 5 && !strcmp(name + n - 5, "Right")) || (n > 9 && !strcmp(name + n - 9, "Privilege")));
}

/* A SID string to its binary form (revision, count, 48-bit big-endian authority, little-endian sub-authorities). */
static size_t sid_from_string(const char *text, uint8_t *out) {
    unsigned long long authority;
    int consumed = 0;
    if (sscanf(text, "S-1-%llu%n", &authority, &consumed) != 1) return 0;
    const char *p = text + consumed;
    uint8_t count = 0;
    out[0] = 1;
    for (int i = 0; i < 6; i++) out[2 + i] = (uint8_t)(authority >> (8 * (5 - i)));
    while (*p == '-' && count < 15) {
        unsigned long value = strtoul(p + 1, (char **)&p, 10);
        uint32_t v = (uint32_t)value;
        memcpy(out + 8 + 4 * count, &v, 4);
        count++;
    }
    out[1] = count;
    return 8 + 4u * count;
}

NTSTATUS LsaEnumerateAccountsWithUserRight(void *policy, LSA_UNICODE_STRING *user_right, void **buffer, uint32_t *count) {
    (void)policy;
    char right[128];
    narrow(user_right ? user_right->Buffer : NULL, user_right ? user_right->Length / 2u : 0, right, sizeof right);
    *buffer = NULL;
    *count = 0;
    NTSTATUS failed = failure_for("Get-EntraSyncRightHolderSid", "Right", right);
    if (failed) return failed;
    if (!known_right(right)) return STATUS_NO_SUCH_PRIVILEGE;
    jval *holders = member(member(host(), "rights"), right);
    uint32_t n = 0;
    for (jval *h = holders && holders->type == J_ARR ? holders->child : NULL; h; h = h->next) n += h->type == J_STR;
    if (!n) return STATUS_NO_MORE_ENTRIES;
    /* One block, freed by LsaFreeMemory: the PSID array, then the SIDs it points to. */
    uint8_t *block = calloc(1, n * sizeof(void *) + n * 68u);
    uint8_t *sids = block + n * sizeof(void *);
    uint32_t i = 0;
    for (jval *h = holders->child; h; h = h->next) {
        if (h->type != J_STR) continue;
        uint8_t *sid = sids + 68u * i;
        if (!sid_from_string(h->str, sid)) continue;
        ((void **)block)[i++] = sid;
    }
    *buffer = block;
    *count = i;
    return i ? STATUS_SUCCESS : STATUS_NO_MORE_ENTRIES;
}

/* LsaNtStatusToWinError for the statuses above (winerror.h numbers). */
int LsaNtStatusToWinError(NTSTATUS status) {
    switch (status) {
    case STATUS_SUCCESS: return 0;
    case STATUS_ACCESS_DENIED: return 5;             /* ERROR_ACCESS_DENIED */
    case STATUS_NO_SUCH_PRIVILEGE: return 1313;      /* ERROR_NO_SUCH_PRIVILEGE */
    case STATUS_NO_MORE_ENTRIES: return 259;         /* ERROR_NO_MORE_ITEMS */
    case STATUS_IO_TIMEOUT: return 1460;             /* ERROR_TIMEOUT */
    case RPC_NT_SERVER_UNAVAILABLE: return 1722;     /* RPC_S_SERVER_UNAVAILABLE */
    default: return 31;                              /* ERROR_GEN_FAILURE */
    }
}

/* ------------------------------------------------------------------ logoncli: NetIsServiceAccount */

uint32_t NetIsServiceAccount(const uint16_t *server, const uint16_t *account, int *is_service) {
    (void)server;
    char name[256];
    size_t length = 0;
    while (account && account[length]) length++;
    narrow(account, length, name, sizeof name);
    *is_service = 0;
    NTSTATUS failed = failure_for("Test-EntraSyncServiceAccountInstalled", "Name", name);
    if (failed) return failed;
    jval *installed = member(member(host(), "active_directory"), "installed_service_accounts");
    for (jval *a = installed && installed->type == J_ARR ? installed->child : NULL; a; a = a->next)
        if (a->type == J_STR && !strcasecmp(a->str, name)) *is_service = 1;
    return 0;
}
