/* lib/io/nc_util.h — small NetCDF helpers shared by the readers (internal). */
#ifndef NJ_NC_UTIL_H
#define NJ_NC_UTIL_H

#include <stddef.h>

/** Text attribute name of variable varid (NC_GLOBAL for the file) into buf (len
 *  bytes, truncated to fit), blanks trimmed at both ends: NC_CHAR, or the first
 *  value of an NC_STRING attribute (NetCDF-4, as h5netcdf writes them). Returns
 *  1, or 0 (buf "") when the attribute is absent, of another type or unreadable. */
int nj_nc_att_text(int ncid, int varid, const char *name, char *buf, size_t len);

/** Whether path is a NetCDF classic-format file (CDF-1, -2 or -5) shorter than
 *  its header says: the NetCDF library then reads the missing data as zeros
 *  without an error. Returns 1 and a message in msg, else 0 (also for
 *  NetCDF-4 files, whose library reports damage itself). */
int nj_nc_check_truncated(const char *path, char *msg, size_t len);

#endif
